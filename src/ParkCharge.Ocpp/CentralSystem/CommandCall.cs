using ParkCharge.Core.Charging;
using ParkCharge.Core.Commands;
using ParkCharge.Ocpp.Messages;
using ParkCharge.Ocpp.Rpc;

namespace ParkCharge.Ocpp.CentralSystem;

/// <summary>How a command's CALL ended, in the engine's terms.</summary>
/// <param name="Response">The charger's status as it spelled it, or the CALLERROR code.</param>
/// <param name="TransactionId">2.0.1/2.1 RequestStartTransaction: the transaction the charger had already started.</param>
/// <param name="Variables">GetVariables, SetVariables: the answer per variable.</param>
/// <param name="FileName">GetLog: the file the charger uploads.</param>
/// <param name="ListVersion">GetLocalListVersion: the version the charger holds.</param>
public sealed record CommandCallOutcome(CommandStatus Status, string? Response, string? Detail, string? TransactionId = null,
    IReadOnlyList<VariableResult>? Variables = null, string? FileName = null, int? ListVersion = null);

/// <summary>
/// A command as a CALL of one OCPP version, ready to send: the action, its request, and which of the
/// charger's answers count as yes. Made by <see cref="CommandCalls.For"/>.
/// </summary>
public abstract class CommandCall
{
    private protected CommandCall()
    {
    }

    /// <summary>The OCPP action (<c>RemoteStartTransaction</c>, <c>RequestStopTransaction</c>, ...).</summary>
    public abstract string Action { get; }

    /// <summary>The typed request record of the action (for inspection; the connection serialises it).</summary>
    public abstract object Request { get; }

    /// <summary>Sends the CALL and reads how it ended: the charger's yes or no, a CALLERROR, no answer, or a lost connection.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public abstract Task<CommandCallOutcome> SendAsync(RpcConnection rpc, CancellationToken cancellationToken);
}

/// <summary>The charger's answer to a command's CALL, read: yes or no, its status as spelled, a detail worth keeping.</summary>
internal readonly record struct CommandAnswer(bool Accepted, string Status, string? Detail = null, string? TransactionId = null,
    IReadOnlyList<VariableResult>? Variables = null, string? FileName = null, int? ListVersion = null);

internal sealed class CommandCall<TRequest, TResponse>(OcppAction<TRequest, TResponse> action, TRequest request, Func<TResponse, CommandAnswer> read) : CommandCall
    where TRequest : notnull
{
    public override string Action => action.Name;

    public override object Request => request;

    public override async Task<CommandCallOutcome> SendAsync(RpcConnection rpc, CancellationToken cancellationToken)
    {
        var outcome = await rpc.CallAsync(action, request, cancellationToken);
        switch (outcome.Status)
        {
            case RpcCallStatus.Completed:
                var answer = read(outcome.Response!);
                return new CommandCallOutcome(answer.Accepted ? CommandStatus.Accepted : CommandStatus.Rejected, answer.Status, answer.Detail, answer.TransactionId,
                    answer.Variables, answer.FileName, answer.ListVersion);
            case RpcCallStatus.Rejected:
                return new CommandCallOutcome(CommandStatus.Rejected, outcome.Rejection!.ErrorCode, $"CALLERROR {outcome.Rejection.ErrorCode}: {outcome.Rejection.Description}".TrimEnd(' ', ':'));
            case RpcCallStatus.TimedOut:
                return new CommandCallOutcome(CommandStatus.TimedOut, null, $"no answer to {action.Name} within the call timeout; the charger may or may not have acted");
            case RpcCallStatus.InvalidResponse:
                return new CommandCallOutcome(CommandStatus.Failed, null, $"the answer to {action.Name} broke the OCPP schema: {outcome.Problem}");
            case RpcCallStatus.InvalidRequest:
                return new CommandCallOutcome(CommandStatus.Failed, null, $"not sent: {outcome.Problem}");
            default:
                return new CommandCallOutcome(CommandStatus.Offline, null, "the connection closed before the charger answered; it may or may not have acted");
        }
    }
}

/// <summary>
/// A command mapped to its CALL: <see cref="Ready"/> with the call, or <see cref="Refused"/> with why
/// the command cannot be one (a value it lacks, a value the version cannot carry, a command the version has no call for).
/// </summary>
public abstract record CommandCallResult
{
    private CommandCallResult()
    {
    }

    public sealed record Ready(CommandCall Call) : CommandCallResult;

    public sealed record Refused(string Reason) : CommandCallResult
    {
        /// <summary>What the command ends with: Failed, nothing sent.</summary>
        public CommandCallOutcome Outcome => new(CommandStatus.Failed, null, $"the CALL could not be made: {Reason}");
    }

    internal static CommandCallResult Of<TRequest, TResponse>(OcppAction<TRequest, TResponse> action, TRequest request, Func<TResponse, CommandAnswer> read)
        where TRequest : notnull =>
        new Ready(new CommandCall<TRequest, TResponse>(action, request, read));
}

/// <summary>
/// The outbound half of the central system: a command as the CALL of the charger's version (the inbound
/// half is <see cref="V16Inbound"/> and <see cref="V2Inbound"/>). 2.0.1 and 2.1 chargers get the same
/// calls, written as 2.1's records; the connection checks each against the schema of the version it
/// speaks (see <see cref="OcppMessageFamily"/>).
/// </summary>
public static class CommandCalls
{
    public static CommandCallResult For(OcppVersion version, ChargerCommand command) =>
        version == OcppVersion.Ocpp16 ? V16Outbound.Map(command) : V2Outbound.Map(command);

    internal static CommandCallResult.Refused Missing(ChargerCommand command, string what) =>
        new($"the {command.Type} command has no {what}");

    /// <summary>OCPP's retry intervals are whole seconds.</summary>
    internal static int? Seconds(TimeSpan? interval) => interval is { } i ? (int)Math.Round(i.TotalSeconds) : null;
}
