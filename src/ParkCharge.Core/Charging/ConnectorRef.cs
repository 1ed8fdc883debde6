using System.Globalization;

namespace ParkCharge.Core.Charging;

/// <summary>
/// Where a car plugs in. OCPP 1.6 numbers connectors per charger (0 = the whole charger); OCPP 2.0.1
/// numbers EVSEs per station (0 = the whole station) and connectors per EVSE.
/// A 1.6 connector has no EVSE (<see cref="Evse"/> is null); a 2.0.1 connector always has one.
/// </summary>
public readonly record struct ConnectorRef(int? Evse, int Connector)
{
    /// <summary>The whole charger (1.6 connector 0, 2.0.1 EVSE 0).</summary>
    public bool IsWholeCharger => Evse is 0 || (Evse is null && Connector == 0);

    public static ConnectorRef Ocpp16(int connectorId) => new(null, connectorId);

    /// <summary>OCPP 2.0.1 lets a message name only the EVSE; its connector is then taken as 1.</summary>
    public static ConnectorRef Ocpp201(int evseId, int? connectorId) => new(evseId, evseId == 0 ? 0 : connectorId ?? 1);

    public int CompareTo(ConnectorRef other)
    {
        var byEvse = (Evse ?? -1).CompareTo(other.Evse ?? -1);
        return byEvse != 0 ? byEvse : Connector.CompareTo(other.Connector);
    }

    /// <summary>"3" for a 1.6 connector, "2/1" for EVSE 2 connector 1 in 2.0.1.</summary>
    public override string ToString() =>
        Evse is { } evse
            ? string.Create(CultureInfo.InvariantCulture, $"{evse}/{Connector}")
            : Connector.ToString(CultureInfo.InvariantCulture);
}
