using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace ParkCharge.Ocpp.Rpc;

/// <summary>How a CALL we sent ended.</summary>
public enum RpcCallStatus
{
    /// <summary>A CALLRESULT that passed the response schema; see <see cref="RpcCallOutcome{TResponse}.Response"/>.</summary>
    Completed,

    /// <summary>The peer answered with a CALLERROR; see <see cref="RpcCallOutcome{TResponse}.Rejection"/>.</summary>
    Rejected,

    /// <summary>No answer within the call timeout; the connection may send its next CALL.</summary>
    TimedOut,

    /// <summary>A CALLRESULT that broke the response schema or was malformed; see <see cref="RpcCallOutcome{TResponse}.Problem"/>.</summary>
    InvalidResponse,

    /// <summary>The connection closed before an answer came (or before the CALL could be sent).</summary>
    Disconnected,

    /// <summary>
    /// Our request breaks the schema of the version the connection speaks (a 2.1 field or value for a
    /// 2.0.1 charger); it was not sent. See <see cref="RpcCallOutcome{TResponse}.Problem"/>.
    /// </summary>
    InvalidRequest,
}

/// <summary>A CALLERROR received in answer to our CALL.</summary>
/// <param name="ErrorCode">As received: either version's spelling or a vendor's own code.</param>
/// <param name="KnownErrorCode">The code if OCPP defines it (in either spelling), otherwise null.</param>
/// <param name="Description">The peer's description.</param>
/// <param name="Details">The details object (a copy, safe to keep), or <see cref="JsonValueKind.Undefined"/>.</param>
public sealed record RpcCallRejection(string ErrorCode, RpcErrorCode? KnownErrorCode, string Description, JsonElement Details);

/// <summary>The outcome of <see cref="RpcConnection.CallAsync{TRequest, TResponse}"/>: one of <see cref="RpcCallStatus"/>.</summary>
public sealed record RpcCallOutcome<TResponse>
{
    private RpcCallOutcome(RpcCallStatus status, TResponse? response, RpcCallRejection? rejection, string? problem)
    {
        Status = status;
        Response = response;
        Rejection = rejection;
        Problem = problem;
    }

    public RpcCallStatus Status { get; }

    /// <summary>Set when <see cref="Status"/> is <see cref="RpcCallStatus.Completed"/>.</summary>
    public TResponse? Response { get; }

    /// <summary>Set when <see cref="Status"/> is <see cref="RpcCallStatus.Rejected"/>.</summary>
    public RpcCallRejection? Rejection { get; }

    /// <summary>Set when <see cref="Status"/> is <see cref="RpcCallStatus.InvalidResponse"/> or <see cref="RpcCallStatus.InvalidRequest"/>: what was wrong.</summary>
    public string? Problem { get; }

    [MemberNotNullWhen(true, nameof(Response))]
    public bool IsCompleted => Status == RpcCallStatus.Completed;

    internal static RpcCallOutcome<TResponse> Completed(TResponse response) => new(RpcCallStatus.Completed, response, null, null);

    internal static RpcCallOutcome<TResponse> Rejected(RpcCallRejection rejection) => new(RpcCallStatus.Rejected, default, rejection, null);

    internal static RpcCallOutcome<TResponse> Invalid(string problem) => new(RpcCallStatus.InvalidResponse, default, null, problem);

    internal static RpcCallOutcome<TResponse> NotSent(string problem) => new(RpcCallStatus.InvalidRequest, default, null, problem);

    public static RpcCallOutcome<TResponse> TimedOut { get; } = new(RpcCallStatus.TimedOut, default, null, null);

    public static RpcCallOutcome<TResponse> Disconnected { get; } = new(RpcCallStatus.Disconnected, default, null, null);
}
