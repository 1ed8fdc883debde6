using System.Text.Json;

using ParkCharge.Ocpp.Messages;
using ParkCharge.Ocpp.Validation;

namespace ParkCharge.Ocpp.Rpc;

/// <summary>Our one outstanding CALL, waiting for the peer's answer, a timeout or the end of the connection.</summary>
internal abstract class PendingCall(string messageId, string action)
{
    public string MessageId { get; } = messageId;

    /// <summary>The action's name (an action OCPP may not define, when a proxy forwards it).</summary>
    public string Action { get; } = action;

    /// <summary>Checks the CALLRESULT payload and completes the call; returns what was wrong with it and its error code, or null.</summary>
    public abstract (string Problem, RpcErrorCode ErrorCode)? CompleteWithResult(JsonElement payload, OcppSchemas schemas);

    public abstract void CompleteWithError(RpcCallErrorFrame error);

    /// <summary>Ends the call as <see cref="RpcCallStatus.TimedOut"/>, <see cref="RpcCallStatus.Disconnected"/> or <see cref="RpcCallStatus.InvalidResponse"/>; no effect once it has ended.</summary>
    public abstract void Fail(RpcCallStatus status, string? problem = null);
}

internal sealed class PendingCall<TRequest, TResponse>(string messageId, OcppAction<TRequest, TResponse> action)
    : PendingCall(messageId, action.Name)
{
    // Completed from the receive loop: continuations must not run there, or a slow caller would stall reading.
    private readonly TaskCompletionSource<RpcCallOutcome<TResponse>> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<RpcCallOutcome<TResponse>> Outcome => _outcome.Task;

    public override (string Problem, RpcErrorCode ErrorCode)? CompleteWithResult(JsonElement payload, OcppSchemas schemas)
    {
        if (schemas.ValidateResponse(Action, payload).Violation is { } violation)
        {
            _outcome.TrySetResult(RpcCallOutcome<TResponse>.Invalid(violation.Description));
            return (violation.Description, violation.ErrorCode);
        }

        try
        {
            TResponse response = payload.Deserialize(action.Response)!;
            _outcome.TrySetResult(RpcCallOutcome<TResponse>.Completed(response));
            return null;
        }
        catch (JsonException exception)
        {
            // Schema-valid but beyond what the record holds (e.g. an integer above Int32.MaxValue).
            _outcome.TrySetResult(RpcCallOutcome<TResponse>.Invalid(exception.Message));
            return (exception.Message, RpcErrorCode.PropertyConstraintViolation);
        }
    }

    public override void CompleteWithError(RpcCallErrorFrame error) =>
        _outcome.TrySetResult(RpcCallOutcome<TResponse>.Rejected(new RpcCallRejection(error.ErrorCode, error.KnownErrorCode, error.Description,
            error.Details.ValueKind == JsonValueKind.Undefined ? default : error.Details.Clone())));

    public override void Fail(RpcCallStatus status, string? problem = null) =>
        _outcome.TrySetResult(status switch
        {
            RpcCallStatus.TimedOut => RpcCallOutcome<TResponse>.TimedOut,
            RpcCallStatus.Disconnected => RpcCallOutcome<TResponse>.Disconnected,
            RpcCallStatus.InvalidResponse => RpcCallOutcome<TResponse>.Invalid(problem ?? "invalid response"),
            _ => throw new ArgumentOutOfRangeException(nameof(status), status, "A call fails only as TimedOut, Disconnected or InvalidResponse."),
        });
}

/// <summary>
/// A CALL forwarded for another peer (a proxy): its answer is taken as it comes, untyped, so that it can be
/// passed on unchanged. Checked against the action's response schema only when <paramref name="checkAnswer"/>
/// is set (an answer the forwarder would not pass on); otherwise the peer it goes to checks it as it would ours.
/// An action the version does not define (a vendor's own) is never checked.
/// </summary>
internal sealed class ForwardedPendingCall(string messageId, string action, bool checkAnswer) : PendingCall(messageId, action)
{
    private readonly TaskCompletionSource<RpcCallOutcome<JsonElement>> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<RpcCallOutcome<JsonElement>> Outcome => _outcome.Task;

    public override (string Problem, RpcErrorCode ErrorCode)? CompleteWithResult(JsonElement payload, OcppSchemas schemas)
    {
        if (checkAnswer && schemas.HasAction(Action) && schemas.ValidateResponse(Action, payload).Violation is { } violation)
        {
            _outcome.TrySetResult(RpcCallOutcome<JsonElement>.Invalid(violation.Description));
            return (violation.Description, violation.ErrorCode);
        }

        _outcome.TrySetResult(RpcCallOutcome<JsonElement>.Completed(payload.Clone()));
        return null;
    }

    public override void CompleteWithError(RpcCallErrorFrame error) =>
        _outcome.TrySetResult(RpcCallOutcome<JsonElement>.Rejected(new RpcCallRejection(error.ErrorCode, error.KnownErrorCode, error.Description,
            error.Details.ValueKind == JsonValueKind.Undefined ? default : error.Details.Clone())));

    public override void Fail(RpcCallStatus status, string? problem = null) =>
        _outcome.TrySetResult(status switch
        {
            RpcCallStatus.TimedOut => RpcCallOutcome<JsonElement>.TimedOut,
            RpcCallStatus.Disconnected => RpcCallOutcome<JsonElement>.Disconnected,
            _ => RpcCallOutcome<JsonElement>.Invalid(problem ?? "invalid response"),
        });
}
