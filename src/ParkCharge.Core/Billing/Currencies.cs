namespace ParkCharge.Core.Billing;

/// <summary>ISO 4217 minor units: how many decimals an amount in the currency has; and how large an amount may be.</summary>
public static class Currencies
{
    /// <summary>
    /// An amount (a payment, a price, a cap) has at most this many digits counted in minor units:
    /// 9,999,999,999.99 EUR, 999,999,999,999 JPY, 999,999,999.999 KWD. Far above any parking bill, and
    /// far enough below <see cref="decimal.MaxValue"/> (about 7.9 × 10^28) that no sum of payments,
    /// no price times quantity and no bill total can overflow.
    /// </summary>
    public const int MaxMinorDigits = 12;

    private const decimal MaxMinorAmount = 999_999_999_999m;

    public static int MinorUnits(string currency) => currency switch
    {
        "BIF" or "CLP" or "DJF" or "GNF" or "ISK" or "JPY" or "KMF" or "KRW" or "PYG" or "RWF" or "UGX" or "UYI" or "VND" or "VUV"
            or "XAF" or "XOF" or "XPF" => 0,
        "BHD" or "IQD" or "JOD" or "KWD" or "LYD" or "OMR" or "TND" => 3,
        _ => 2,
    };

    /// <summary>The largest amount in the currency (see <see cref="MaxMinorDigits"/>).</summary>
    public static decimal MaxAmount(string currency) => MinorUnits(currency) switch
    {
        0 => MaxMinorAmount,
        3 => MaxMinorAmount / 1_000m,
        _ => MaxMinorAmount / 100m,
    };

    /// <summary>A three-letter upper-case code, the shape of ISO 4217 (which codes exist is the site's business).</summary>
    public static bool IsCode(string? currency) =>
        currency is { Length: 3 } && char.IsAsciiLetterUpper(currency[0]) && char.IsAsciiLetterUpper(currency[1]) && char.IsAsciiLetterUpper(currency[2]);

    /// <summary>
    /// Why <paramref name="amount"/> is not a payable amount in <paramref name="currency"/> (not positive,
    /// more decimals than the currency has, above <see cref="MaxAmount"/>); null when it is one.
    /// </summary>
    public static string? ProblemWithPayment(decimal amount, string currency)
    {
        var minor = MinorUnits(currency);
        if (amount <= 0)
        {
            return "The amount must be positive.";
        }

        if (amount > MaxAmount(currency))
        {
            return FormattableString.Invariant($"The amount must be at most {MaxAmount(currency)} {currency} ({MaxMinorDigits} digits in minor units).");
        }

        return amount != Math.Round(amount, minor)
            ? FormattableString.Invariant($"The amount must have at most {minor} decimals ({currency}'s minor units).")
            : null;
    }
}
