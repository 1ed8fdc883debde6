using ParkCharge.Core.Charging;

namespace ParkCharge.Ocpp.Rpc;

/// <summary>
/// The error codes of a CALLERROR (and a 2.1 CALLRESULTERROR), independent of the OCPP version.
/// The names are 2.0.1's (OCPP-J 2.0.1 §4.3), which 2.1 keeps unchanged; <see cref="RpcErrorCodeWireNames"/>
/// maps them to what each version sends on the wire (OCPP-J 1.6 §4.2.3 has fewer codes and two different spellings).
/// </summary>
public enum RpcErrorCode
{
    /// <summary>Payload for the action is syntactically incorrect. 1.6 spells it <c>FormationViolation</c>.</summary>
    FormatViolation,

    /// <summary>Any other error not covered by a more specific code.</summary>
    GenericError,

    /// <summary>The receiver failed while processing the action.</summary>
    InternalError,

    /// <summary>Unknown message type number (2.0.1 and 2.1; 1.6 sends <c>ProtocolError</c>).</summary>
    MessageTypeNotSupported,

    /// <summary>The action is not known to the receiver.</summary>
    NotImplemented,

    /// <summary>The action is known but not supported by the receiver.</summary>
    NotSupported,

    /// <summary>A field is missing or occurs too often. 1.6 spells it <c>OccurenceConstraintViolation</c> (sic).</summary>
    OccurrenceConstraintViolation,

    /// <summary>A field has an invalid value (enumeration, length, range, format, unknown field).</summary>
    PropertyConstraintViolation,

    /// <summary>The payload does not conform to the PDU structure.</summary>
    ProtocolError,

    /// <summary>The frame is not a valid RPC message, e.g. its message id cannot be read (2.0.1 and 2.1; 1.6 sends <c>FormationViolation</c>).</summary>
    RpcFrameworkError,

    /// <summary>A security issue prevented the receiver from completing the action.</summary>
    SecurityError,

    /// <summary>A field has the wrong JSON type, e.g. <c>"somestring": 12</c>.</summary>
    TypeConstraintViolation,
}

/// <summary>The wire spelling of <see cref="RpcErrorCode"/> per OCPP version, and the lenient reverse mapping.</summary>
public static class RpcErrorCodeWireNames
{
    /// <summary>
    /// The code as the given version sends it. 1.6 has neither MessageTypeNotSupported nor
    /// RpcFrameworkError: it answers an unknown message type with ProtocolError and an
    /// unreadable frame with FormationViolation. 2.1 spells every code as 2.0.1 does.
    /// </summary>
    public static string ToWireName(this RpcErrorCode code, OcppVersion version) => version switch
    {
        OcppVersion.Ocpp16 => code switch
        {
            RpcErrorCode.FormatViolation or RpcErrorCode.RpcFrameworkError => "FormationViolation",
            RpcErrorCode.OccurrenceConstraintViolation => "OccurenceConstraintViolation",
            RpcErrorCode.MessageTypeNotSupported => "ProtocolError",
            _ => code.ToWireName(OcppVersion.Ocpp201),
        },
        OcppVersion.Ocpp201 or OcppVersion.Ocpp21 => code switch
        {
            RpcErrorCode.FormatViolation => "FormatViolation",
            RpcErrorCode.GenericError => "GenericError",
            RpcErrorCode.InternalError => "InternalError",
            RpcErrorCode.MessageTypeNotSupported => "MessageTypeNotSupported",
            RpcErrorCode.NotImplemented => "NotImplemented",
            RpcErrorCode.NotSupported => "NotSupported",
            RpcErrorCode.OccurrenceConstraintViolation => "OccurrenceConstraintViolation",
            RpcErrorCode.PropertyConstraintViolation => "PropertyConstraintViolation",
            RpcErrorCode.ProtocolError => "ProtocolError",
            RpcErrorCode.RpcFrameworkError => "RpcFrameworkError",
            RpcErrorCode.SecurityError => "SecurityError",
            RpcErrorCode.TypeConstraintViolation => "TypeConstraintViolation",
            _ => throw new ArgumentOutOfRangeException(nameof(code), code, "Unknown RPC error code."),
        },
        _ => throw new ArgumentOutOfRangeException(nameof(version), version, "Unknown OCPP version."),
    };

    /// <summary>
    /// Reads an error code received in a CALLERROR. Accepts the spellings of both versions,
    /// whatever the connection's version: real chargers mix "Occurence" and "Occurrence" and
    /// send 1.6 names over 2.0.1. Returns false for codes outside both lists.
    /// </summary>
    public static bool TryParse(string wireName, out RpcErrorCode code)
    {
        switch (wireName)
        {
            case "FormatViolation" or "FormationViolation": code = RpcErrorCode.FormatViolation; return true;
            case "GenericError": code = RpcErrorCode.GenericError; return true;
            case "InternalError": code = RpcErrorCode.InternalError; return true;
            case "MessageTypeNotSupported": code = RpcErrorCode.MessageTypeNotSupported; return true;
            case "NotImplemented": code = RpcErrorCode.NotImplemented; return true;
            case "NotSupported": code = RpcErrorCode.NotSupported; return true;
            case "OccurrenceConstraintViolation" or "OccurenceConstraintViolation": code = RpcErrorCode.OccurrenceConstraintViolation; return true;
            case "PropertyConstraintViolation": code = RpcErrorCode.PropertyConstraintViolation; return true;
            case "ProtocolError": code = RpcErrorCode.ProtocolError; return true;
            case "RpcFrameworkError": code = RpcErrorCode.RpcFrameworkError; return true;
            case "SecurityError": code = RpcErrorCode.SecurityError; return true;
            case "TypeConstraintViolation": code = RpcErrorCode.TypeConstraintViolation; return true;
            default: code = default; return false;
        }
    }
}
