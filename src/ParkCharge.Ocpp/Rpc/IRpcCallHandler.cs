namespace ParkCharge.Ocpp.Rpc;

/// <summary>
/// Answers the CALLs a peer sends over an <see cref="RpcConnection"/>. Calls arrive one at a
/// time in arrival order, already checked against the action's request schema. An exception
/// becomes an InternalError CALLERROR; the connection stays open.
/// </summary>
public interface IRpcCallHandler
{
    /// <param name="inboundCall">Valid until the returned task completes.</param>
    /// <param name="cancellationToken">Cancelled when the connection closes.</param>
    ValueTask<RpcReply> HandleAsync(RpcInboundCall inboundCall, CancellationToken cancellationToken);
}
