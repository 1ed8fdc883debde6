using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;

using ParkCharge.Core.Charging;
using ParkCharge.Ocpp.Rpc;
using ParkCharge.Ocpp.Validation;
using ParkCharge.Server.Telemetry;

namespace ParkCharge.Server.Ocpp;

/// <summary>
/// A connection's metrics and traces, from the frames it sees (beside the message log): every frame counted by
/// direction, action and outcome, CALLERRORs by code, and for each CALL of the charger the time from its
/// receipt to our answer, as a histogram and as a span (<c>ocpp.call {Action}</c>, a trace of its own) that
/// the engine's and the store's spans join (<see cref="Handler"/> makes it current while the call is handled).
/// </summary>
/// <remarks>
/// Labels are bounded whatever a charger sends: an action that is not one of its version's is counted as
/// <c>other</c>, an error code that is not one of OCPP's as <c>other</c> (a hostile charger cannot make a metric
/// series per string it invents).
/// </remarks>
internal sealed class ConnectionTelemetry(IRpcFrameObserver inner, NodeMetrics metrics, ChargerId charger, OcppVersion version) : IRpcFrameObserver, IDisposable
{
    /// <summary>Every error code's wire name, in every version.</summary>
    private static readonly HashSet<string> ErrorCodes = [.. Enum.GetValues<RpcErrorCode>().SelectMany(code => Enum.GetValues<OcppVersion>().Select(version => code.ToWireName(version)))];

    // A plain dictionary under a lock, not a ConcurrentDictionary: the charger has one CALL in flight at a time
    // (OCPP-J §4.1.1), and a ConcurrentDictionary's buckets and locks cost some 600 bytes on every idle connection.
    private readonly Dictionary<string, InFlight> _calls = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly OcppSchemas _schemas = OcppSchemas.For(version);

    public void OnFrame(in RpcFrameRecord frame)
    {
        inner.OnFrame(frame);
        var inbound = frame.Direction == RpcFrameDirection.Inbound;
        var direction = inbound ? "in" : "out";
        string? code = null;
        if (frame.MessageType is RpcMessageType.CallError or RpcMessageType.CallResultError)
        {
            code = MessageLogRecorder.ErrorCodeOf(frame.Text) is { } sent && ErrorCodes.Contains(sent) ? sent : "other";
            metrics.CallError(inbound ? "received" : "sent", code);
        }

        var action = frame.Action is null ? "unknown" : _schemas.HasAction(frame.Action) ? frame.Action : "other";
        metrics.Message(direction, action, Outcome(frame.MessageType));
        if (inbound && frame.MessageType == RpcMessageType.Call && frame.MessageId is { } id)
        {
            // A span per CALL, rooted here (not under the WebSocket's request, which lasts as long as the connection).
            var span = NodeTelemetry.StartSpan($"ocpp.call {action}", ActivityKind.Server, default, frame.Time);
            span?.SetTag("ocpp.charger", charger.Value);
            span?.SetTag("ocpp.version", version.Label());
            span?.SetTag("ocpp.action", action);
            span?.SetTag("ocpp.message_id", id);
            if (frame.ErrorReturned is { } refused)
            {
                span?.SetTag("ocpp.refused", refused.ToWireName(version));
            }

            var call = new InFlight(action, Stopwatch.GetTimestamp(), span);
            bool added;
            lock (_gate)
            {
                added = _calls.TryAdd(id, call);
            }

            if (!added)
            {
                NodeTelemetry.EndSpan(span); // the same id twice while the first is unanswered: time the first
            }
        }
        else if (!inbound && frame.MessageType is RpcMessageType.CallResult or RpcMessageType.CallError && frame.MessageId is { } answered
            && TryTake(answered, out var call))
        {
            metrics.Replied(call.Action, Stopwatch.GetElapsedTime(call.Received));
            if (call.Span is { } span)
            {
                span.SetTag("ocpp.outcome", Outcome(frame.MessageType));
                if (code is not null)
                {
                    span.SetTag("ocpp.error_code", code);
                    span.SetStatus(ActivityStatusCode.Error, code);
                }

                span.AddEvent(new ActivityEvent("reply sent", frame.Time));
                NodeTelemetry.EndSpan(span, frame.Time);
            }
        }
    }

    /// <summary>The charger's call handler, running each call inside its <c>ocpp.call</c> span.</summary>
    public IRpcCallHandler Handler(IRpcCallHandler handler) => new Traced(handler, this);

    /// <summary>The connection ended: calls it never answered end their spans unanswered.</summary>
    public void Dispose()
    {
        InFlight[] unanswered;
        lock (_gate)
        {
            unanswered = [.. _calls.Values];
            _calls.Clear();
        }

        foreach (var call in unanswered)
        {
            if (call.Span is { } span)
            {
                span.SetTag("ocpp.outcome", "unanswered");
                NodeTelemetry.EndSpan(span);
            }
        }
    }

    private bool TryTake(string messageId, [NotNullWhen(true)] out InFlight? call)
    {
        lock (_gate)
        {
            return _calls.Remove(messageId, out call);
        }
    }

    private static string Outcome(RpcMessageType? type) => type switch
    {
        RpcMessageType.Call => "call",
        RpcMessageType.CallResult => "result",
        RpcMessageType.CallError => "error",
        RpcMessageType.CallResultError => "resulterror",
        RpcMessageType.Send => "send",
        _ => "unreadable",
    };

    private sealed record InFlight(string Action, long Received, Activity? Span);

    private sealed class Traced(IRpcCallHandler handler, ConnectionTelemetry telemetry) : IRpcCallHandler
    {
        public async ValueTask<RpcReply> HandleAsync(RpcInboundCall inboundCall, CancellationToken cancellationToken)
        {
            if (telemetry._calls.TryGetValue(inboundCall.MessageId, out var call) && call.Span is { } span)
            {
                Activity.Current = span; // for this call's work only: an async method's change does not reach its caller
            }

            return await handler.HandleAsync(inboundCall, cancellationToken);
        }
    }
}
