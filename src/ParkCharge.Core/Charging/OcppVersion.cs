namespace ParkCharge.Core.Charging;

/// <summary>The OCPP version a charger speaks; it decides who assigns transaction ids and which status names exist.</summary>
public enum OcppVersion
{
    /// <summary>OCPP 1.6J: the central system assigns integer transaction ids.</summary>
    Ocpp16,

    /// <summary>OCPP 2.0.1: the charger assigns string transaction ids (at most 36 characters).</summary>
    Ocpp201,

    /// <summary>OCPP 2.1: 2.0.1's model (EVSEs, TransactionEvent, charger-assigned ids) plus additions.</summary>
    Ocpp21,
}

/// <summary>What the versions have in common.</summary>
public static class OcppVersions
{
    /// <summary>
    /// 2.0.1 and 2.1: chargers are organised in EVSEs with connectors, transactions are reported as
    /// TransactionEvents with the charger's own ids, and connector status is Available/Occupied/... .
    /// </summary>
    public static bool IsOcpp2(this OcppVersion version) => version is OcppVersion.Ocpp201 or OcppVersion.Ocpp21;

    /// <summary>The protocol's own name: "1.6", "2.0.1", "2.1".</summary>
    public static string Label(this OcppVersion version) => version switch
    {
        OcppVersion.Ocpp16 => "1.6",
        OcppVersion.Ocpp201 => "2.0.1",
        OcppVersion.Ocpp21 => "2.1",
        _ => throw new ArgumentOutOfRangeException(nameof(version), version, "Unknown OCPP version."),
    };
}
