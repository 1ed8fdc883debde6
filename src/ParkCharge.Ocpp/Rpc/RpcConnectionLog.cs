using System.Net.WebSockets;

using Microsoft.Extensions.Logging;

namespace ParkCharge.Ocpp.Rpc;

/// <summary>
/// The connection's log events. Payload contents (id tags, values) appear only at Debug: at
/// Information and above we log where and which rule, never what was sent.
/// </summary>
internal static partial class RpcConnectionLog
{
    [LoggerMessage(1001, LogLevel.Information, "OCPP connection of {ChargerId} closed: {CloseStatus} {CloseDescription}")]
    public static partial void Closed(ILogger logger, string chargerId, WebSocketCloseStatus? closeStatus, string? closeDescription);

    [LoggerMessage(1002, LogLevel.Warning, "OCPP connection of {ChargerId} lost")]
    public static partial void Lost(ILogger logger, string chargerId, Exception exception);

    [LoggerMessage(1003, LogLevel.Warning, "{ChargerId} sent a message larger than {MaxMessageBytes} bytes; closing with 1009")]
    public static partial void MessageTooBig(ILogger logger, string chargerId, int maxMessageBytes);

    [LoggerMessage(1004, LogLevel.Warning, "{ChargerId} sent a frame that is not OCPP-J ({Problem}); answered {ErrorCode} to message {MessageId}")]
    public static partial void FrameRefused(ILogger logger, string chargerId, string problem, RpcErrorCode errorCode, string messageId);

    [LoggerMessage(1005, LogLevel.Warning, "{ChargerId} sent a malformed {MessageType} for message {MessageId} ({Problem}); ignored")]
    public static partial void MalformedAnswer(ILogger logger, string chargerId, RpcMessageType? messageType, string? messageId, string problem);

    [LoggerMessage(1006, LogLevel.Warning, "{ChargerId} sent {Action} {MessageId} that breaks the schema at '{Pointer}' ({Keyword}); answered {ErrorCode}")]
    public static partial void CallRefused(ILogger logger, string chargerId, string action, string messageId, string pointer, string? keyword, RpcErrorCode errorCode);

    [LoggerMessage(1007, LogLevel.Debug, "{ChargerId} {Action} {MessageId} refused: {Description}")]
    public static partial void CallRefusedDetail(ILogger logger, string chargerId, string action, string messageId, string description);

    [LoggerMessage(1008, LogLevel.Error, "Handling {Action} {MessageId} from {ChargerId} failed; answered InternalError")]
    public static partial void HandlerFailed(ILogger logger, string chargerId, string action, string messageId, Exception exception);

    [LoggerMessage(1009, LogLevel.Warning, "{ChargerId} sent {Action} {MessageId} with a value the typed message cannot hold; answered PropertyConstraintViolation")]
    public static partial void PayloadDoesNotFit(ILogger logger, string chargerId, string action, string messageId, Exception exception);

    [LoggerMessage(1010, LogLevel.Error, "Our response to {Action} {MessageId} for {ChargerId} breaks the schema at '{Pointer}' ({Keyword}); sent InternalError instead")]
    public static partial void InvalidOwnResponse(ILogger logger, string chargerId, string action, string messageId, string pointer, string? keyword);

    [LoggerMessage(1011, LogLevel.Warning, "{ChargerId} answered message {MessageId}, which is not our outstanding CALL; ignored")]
    public static partial void UnmatchedAnswer(ILogger logger, string chargerId, string messageId);

    [LoggerMessage(1012, LogLevel.Warning, "{ChargerId} did not answer {Action} {MessageId} within {Timeout}")]
    public static partial void CallTimedOut(ILogger logger, string chargerId, string action, string messageId, TimeSpan timeout);

    [LoggerMessage(1013, LogLevel.Warning, "{ChargerId} answered {Action} {MessageId} with an invalid CALLRESULT")]
    public static partial void InvalidAnswer(ILogger logger, string chargerId, string action, string messageId);

    [LoggerMessage(1014, LogLevel.Debug, "{ChargerId} {Action} {MessageId} invalid CALLRESULT: {Problem}")]
    public static partial void InvalidAnswerDetail(ILogger logger, string chargerId, string action, string messageId, string problem);

    [LoggerMessage(1015, LogLevel.Information, "{ChargerId} rejected {Action} {MessageId} with {ErrorCode}")]
    public static partial void CallRejected(ILogger logger, string chargerId, string action, string messageId, string errorCode);

    [LoggerMessage(1017, LogLevel.Error, "Our response to {Action} {MessageId} for {ChargerId} could not be serialized; sent InternalError instead")]
    public static partial void ResponseNotSerializable(ILogger logger, string chargerId, string action, string messageId, Exception exception);

    [LoggerMessage(1018, LogLevel.Error, "Answering {Action} {MessageId} from {ChargerId} failed; the call goes unanswered")]
    public static partial void DispatchFailed(ILogger logger, string chargerId, string? action, string messageId, Exception exception);

    [LoggerMessage(1019, LogLevel.Warning, "{ChargerId} sent SEND {Action} {MessageId} that is not valid ({Problem}); not answered, as a SEND never is")]
    public static partial void SendRefused(ILogger logger, string chargerId, string action, string messageId, string problem);

    [LoggerMessage(1020, LogLevel.Warning, "{ChargerId} refused our CALLRESULT {MessageId} with CALLRESULTERROR {ErrorCode}: {Description}")]
    public static partial void OurAnswerRefused(ILogger logger, string chargerId, string messageId, string errorCode, string description);

    [LoggerMessage(1021, LogLevel.Error, "Our {Action} request for {ChargerId} breaks the OCPP {Version} schema at '{Pointer}' ({Keyword}); not sent")]
    public static partial void InvalidOwnRequest(ILogger logger, string chargerId, string action, string version, string pointer, string? keyword);

    [LoggerMessage(1022, LogLevel.Error, "The work that follows our answer to {Action} {MessageId} from {ChargerId} failed")]
    public static partial void FollowUpFailed(ILogger logger, string chargerId, string action, string messageId, Exception exception);

    [LoggerMessage(1016, LogLevel.Error, "The frame observer failed on a frame of {ChargerId}")]
    public static partial void ObserverFailed(ILogger logger, string chargerId, Exception exception);
}
