namespace ParkCharge.Core.Billing;

/// <summary>ISO 4217 minor units: how many decimals an amount in the currency has.</summary>
public static class Currencies
{
    public static int MinorUnits(string currency) => currency switch
    {
        "BIF" or "CLP" or "DJF" or "GNF" or "ISK" or "JPY" or "KMF" or "KRW" or "PYG" or "RWF" or "UGX" or "UYI" or "VND" or "VUV"
            or "XAF" or "XOF" or "XPF" => 0,
        "BHD" or "IQD" or "JOD" or "KWD" or "LYD" or "OMR" or "TND" => 3,
        _ => 2,
    };
}
