namespace ParkCharge.Core.Charging;

/// <summary>
/// Connector status as chargers report it: the union of OCPP 1.6 ChargePointStatus and OCPP 2.0.1
/// ConnectorStatusEnumType. 1.6 tells the charging phase in the status itself (Preparing, Charging,
/// SuspendedEV, ...); 2.0.1 only says Occupied and reports the phase as the transaction's chargingState.
/// </summary>
public enum ConnectorStatus
{
    Available,
    Preparing,
    Charging,
    SuspendedEVSE,
    SuspendedEV,
    Finishing,
    Reserved,
    Unavailable,
    Faulted,

    /// <summary>OCPP 2.0.1 only: something is plugged in; see the transaction's charging state for more.</summary>
    Occupied,
}

/// <summary>OCPP 2.0.1 ChargingStateEnumType: what the energy flow is doing during a transaction.</summary>
public enum ChargingState
{
    Charging,
    EVConnected,
    SuspendedEV,
    SuspendedEVSE,
    Idle,
}

/// <summary>The result of checking an id token, common to 1.6 idTagInfo and 2.0.1 idTokenInfo.</summary>
public enum AuthorizationStatus
{
    Accepted,
    Blocked,
    Expired,
    Invalid,
    ConcurrentTx,

    /// <summary>2.0.1 only; answered as Invalid to 1.6 chargers.</summary>
    Unknown,
}

/// <summary>
/// An identifier a driver or the system presented to authorize charging. 1.6 has only the text (idTag,
/// at most 20 characters); 2.0.1 adds a type (ISO14443, eMAID, Central, ...).
/// </summary>
public sealed record IdToken(string Value, string? Type = null);
