namespace ParkCharge.Server.Proxy;

/// <summary>Proxy mode's log messages (event ids 8000–8099). Never a secret; urls are stored without credentials.</summary>
internal static partial class ProxyLog
{
    [LoggerMessage(EventId = 8000, Level = LogLevel.Information, Message = "Charger {Charger}: upstream {Upstream} connected to {Endpoint} ({Role})")]
    public static partial void Connected(ILogger logger, string charger, string upstream, Uri endpoint, Core.Sites.UpstreamRole role);

    [LoggerMessage(EventId = 8001, Level = LogLevel.Warning, Message = "Charger {Charger}: upstream {Upstream} unreachable or lost ({Error}); next attempt in {Delay}")]
    public static partial void Unreachable(ILogger logger, string charger, string upstream, string error, TimeSpan delay);

    [LoggerMessage(EventId = 8002, Level = LogLevel.Warning, Message = "Charger {Charger}: upstream {Upstream} ({Role}) may not send {Action}; refused with {ErrorCode}")]
    public static partial void ActionRefused(ILogger logger, string charger, string upstream, Core.Sites.UpstreamRole role, string action, string errorCode);

    [LoggerMessage(EventId = 8003, Level = LogLevel.Warning, Message = "Charger {Charger}: primary upstream {Upstream} did not answer {Action} ({Status}); ParkCharge answered by the site's outage policy")]
    public static partial void AnsweredLocally(ILogger logger, string charger, string upstream, string action, ParkCharge.Ocpp.Rpc.RpcCallStatus status);

    [LoggerMessage(EventId = 8004, Level = LogLevel.Warning, Message = "Charger {Charger}: upstream {Upstream}'s charging profile {ProfileId} (stack level {StackLevel}, {Purpose}) would overwrite ParkCharge's own; answered Rejected")]
    public static partial void ProfileConflict(ILogger logger, string charger, string upstream, int profileId, int stackLevel, string purpose);

    [LoggerMessage(EventId = 8005, Level = LogLevel.Warning, Message = "Charger {Charger}: observer upstream {Upstream} is not connected; {Dropped} copies dropped so far")]
    public static partial void CopiesDropped(ILogger logger, string charger, string upstream, long dropped);

    [LoggerMessage(EventId = 8006, Level = LogLevel.Error, Message = "Charger {Charger}: upstream {Upstream} cannot be set up: {Problem}")]
    public static partial void Misconfigured(ILogger logger, string charger, string upstream, string problem);

    [LoggerMessage(EventId = 8007, Level = LogLevel.Warning, Message = "Charger {Charger}: the engine did not record {Action} answered by upstream {Upstream}")]
    public static partial void NotRecorded(ILogger logger, string charger, string action, string upstream, Exception exception);

    [LoggerMessage(EventId = 8008, Level = LogLevel.Information, Message = "Charger {Charger}: {Count} messages queued while upstream {Upstream} was away delivered in order")]
    public static partial void Replayed(ILogger logger, string charger, string upstream, int count);

    [LoggerMessage(EventId = 8009, Level = LogLevel.Warning, Message = "Charger {Charger}: primary upstream {Upstream} answered {Action} with a CALLRESULT that breaks the schema; ParkCharge answered the charger and queued the message for the backend (the problem is in the charger's message log)")]
    public static partial void InvalidAnswer(ILogger logger, string charger, string upstream, string action);
}
