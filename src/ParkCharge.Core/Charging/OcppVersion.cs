namespace ParkCharge.Core.Charging;

/// <summary>The OCPP version a charger speaks; it decides who assigns transaction ids and which status names exist.</summary>
public enum OcppVersion
{
    /// <summary>OCPP 1.6J: the central system assigns integer transaction ids.</summary>
    Ocpp16,

    /// <summary>OCPP 2.0.1: the charger assigns string transaction ids (at most 36 characters).</summary>
    Ocpp201,
}
