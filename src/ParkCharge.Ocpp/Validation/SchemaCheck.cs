using ParkCharge.Ocpp.Rpc;

namespace ParkCharge.Ocpp.Validation;

/// <summary>
/// The outcome of validating one payload: valid, or the first violation found. A struct so
/// that the valid case, which is nearly every message, allocates nothing.
/// </summary>
public readonly record struct SchemaCheck(SchemaViolation? Violation)
{
    public static SchemaCheck Valid => default;

    public bool IsValid => Violation is null;
}

/// <summary>
/// Why a payload was rejected, ready for a CALLERROR.
/// </summary>
/// <param name="ErrorCode">The CALLERROR code the keyword maps to (OCPP-J 2.0.1 §4.3).</param>
/// <param name="Pointer">RFC 6901 pointer of the offending value; for a missing property, the object that lacks it.</param>
/// <param name="Keyword">The schema keyword that failed, or null when the payload was rejected before any schema applied.</param>
/// <param name="Message">What is wrong, without the pointer.</param>
public sealed record SchemaViolation(RpcErrorCode ErrorCode, string Pointer, string? Keyword, string Message)
{
    /// <summary>Pointer and message, e.g. <c>/transactionInfo/chargingState: "Bogus" is not one of Charging, ...</c>.</summary>
    public string Description => Pointer.Length == 0 ? Message : $"{Pointer}: {Message}";
}
