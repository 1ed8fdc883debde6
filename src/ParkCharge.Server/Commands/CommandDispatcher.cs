using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;

using Microsoft.Extensions.Options;

using ParkCharge.Core.Charging;
using ParkCharge.Core.Commands;
using ParkCharge.Core.Engine;
using ParkCharge.Core.Observations;
using ParkCharge.Core.Sites;
using ParkCharge.Ocpp.CentralSystem;
using ParkCharge.Server.Hosting;
using ParkCharge.Server.Ocpp;
using ParkCharge.Server.Sites;

namespace ParkCharge.Server.Commands;

/// <summary>
/// Sites that may have commands ready to send: a site engine notes one after a decision leaves a
/// pending command for a connected charger, the OCPP endpoint when a charger's connection is live.
/// Each site is queued at most once until the dispatcher takes it. The queue is bounded
/// (<see cref="QueueOptions.CommandSites"/>); a notifier must not wait (it is a site's engine loop), so
/// when it is full the site is not queued but the dispatcher is told to look at every site
/// (<see cref="TakeOverflow"/>) once it has caught up: no site's commands are passed over.
/// </summary>
public sealed class CommandSignals(IOptions<ParkChargeOptions> options)
{
    private readonly Channel<SiteId> _sites = Channel.CreateBounded<SiteId>(
        new BoundedChannelOptions(options.Value.Queues.CommandSites) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private readonly ConcurrentDictionary<SiteId, byte> _queued = new();
    private int _overflowed;

    /// <summary>Sites waiting for the dispatcher to look at them (a gauge of the node's metrics).</summary>
    internal int Queued => _sites.Reader.Count;

    public void Notify(SiteId site)
    {
        if (_queued.TryAdd(site, 0) && !_sites.Writer.TryWrite(site))
        {
            // Noted before trying once more: a dispatcher that emptied the queue meanwhile is woken by the
            // second try and sees the note; one that did not will see it after its next read.
            Volatile.Write(ref _overflowed, 1);
            if (!_sites.Writer.TryWrite(site))
            {
                _queued.TryRemove(site, out _);
            }
        }
    }

    /// <summary>True once after the queue was found full: the dispatcher should look at every site.</summary>
    public bool TakeOverflow() => Interlocked.Exchange(ref _overflowed, 0) == 1;

    internal async IAsyncEnumerable<SiteId> ReadAllAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var site in _sites.Reader.ReadAllAsync(ct))
        {
            _queued.TryRemove(site, out _);
            yield return site;
        }
    }
}

/// <summary>
/// Sends pending commands to chargers over their live connections on this node: per charger one
/// command at a time, in the order they were asked for. The engine decides; the dispatcher only
/// does the I/O and reports back through observations: <see cref="CommandSent"/> (durable before
/// the CALL leaves, so a command is sent at most once) and <see cref="CommandAnswered"/>.
/// In cluster mode the dispatcher of the node running the site's engine tells the node that holds a
/// charger's connection (as the engine recorded it) to send that charger's commands; that node's dispatcher
/// then sends them as here, its observations going to the site's engine wherever it runs. A charger that
/// holds no connection anywhere keeps its commands pending until they end Offline when their wait runs out.
/// </summary>
internal sealed partial class CommandDispatcher(
    SiteEngines engines,
    ChargerConnections connections,
    CommandSignals signals,
    Files.FileLinks links,
    IOptions<ParkChargeOptions> options,
    TimeProvider time,
    ILogger<CommandDispatcher> logger,
    Telemetry.NodeMetrics? metrics = null,
    Cluster.ClusterCommands? cluster = null) : BackgroundService
{
    private readonly ConcurrentDictionary<ChargerId, Task> _workers = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var site in signals.ReadAllAsync(stoppingToken))
            {
                await LookAtAsync(site, stoppingToken);
                if (signals.TakeOverflow())
                {
                    LogOverflow(logger);
                    foreach (var other in engines.Sites)
                    {
                        await LookAtAsync(other, stoppingToken);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The node is stopping; calls in flight end with their connections.
        }

        await Task.WhenAll(_workers.Values);
    }

    /// <summary>Starts a worker for each of the site's chargers with a command ready to go over a live connection.</summary>
    private async Task LookAtAsync(SiteId site, CancellationToken stoppingToken)
    {
        IReadOnlyList<(ChargerId Charger, string Node)> ready;
        try
        {
            ready = await engines.ReadAsync(site, ReadyChargers);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogReadFailed(logger, site.Value, e);
            return;
        }

        foreach (var (charger, _) in ready.Where(c => connections.Find(c.Charger) is not null))
        {
            Start(site, charger, stoppingToken);
        }

        // Only the node running the site's engine passes the signal on, so that nodes never wake each other in turn.
        if (cluster is not null && engines.Running(site) is not null)
        {
            var elsewhere = ready.Where(c => connections.Find(c.Charger) is null && c.Node != cluster.NodeId).Select(c => c.Node).Distinct(StringComparer.Ordinal);
            foreach (var node in elsewhere)
            {
                _ = cluster.WakeAsync(node, site); // a node that does not answer must not hold up the other sites
            }
        }
    }

    /// <summary>Chargers with a pending command and, by the engine's record, a connection (and the node that holds it).</summary>
    private static IReadOnlyList<(ChargerId Charger, string Node)> ReadyChargers(SiteState state) =>
        [.. state.Commands.Pending.Select(c => c.Charger).Distinct()
            .Select(c => (Charger: c, state.FindCharger(c)?.Connection?.NodeId))
            .Where(c => c.NodeId is not null)
            .Select(c => (c.Charger, c.NodeId!))];

    /// <summary>Starts a worker for the charger unless one is running (it picks up the new command).</summary>
    private void Start(SiteId site, ChargerId charger, CancellationToken ct)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (_workers.TryAdd(charger, done.Task))
        {
            _ = Task.Run(() => WorkAsync(site, charger, done, ct), CancellationToken.None);
        }
    }

    /// <summary>Sends the charger's pending commands one after the other while its connection lasts.</summary>
    private async Task WorkAsync(SiteId site, ChargerId charger, TaskCompletionSource done, CancellationToken ct)
    {
        var drained = false;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                if (connections.Find(charger) is not { } live
                    || await engines.ReadAsync(site, state => state.Commands.Pending.FirstOrDefault(c => c.Charger == charger)) is not { } next)
                {
                    drained = true;
                    break;
                }

                // Refused while still pending: the connection is not the charger's current one. It is tried again
                // at the site's next decision or the charger's next connection, not in a loop here.
                if (!await SendAsync(site, next, live, ct)
                    && await engines.ReadAsync(site, state => state.Commands.Find(next.Id)?.Status == CommandStatus.Pending))
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The node is stopping.
        }
        catch (Exception e)
        {
            LogWorkerFailed(logger, charger.Value, e);
        }
        finally
        {
            _workers.TryRemove(charger, out _);
            done.SetResult();
        }

        // A command may have come between the last look and the worker's end, its signal passed over: look again.
        if (drained && connections.Find(charger) is not null)
        {
            try
            {
                if (await engines.ReadAsync(site, state => state.Commands.Pending.Any(c => c.Charger == charger)))
                {
                    signals.Notify(site);
                }
            }
            catch (Exception e) when (e is ObjectDisposedException or OperationCanceledException)
            {
                // The node is stopping.
            }
        }
    }

    /// <returns>False when the engine would not have it sent (it ended meanwhile, or the connection is not the current one).</returns>
    private async Task<bool> SendAsync(SiteId site, ChargerCommand command, LiveConnection live, CancellationToken ct)
    {
        // Keyed by connection: a refusal over a connection that was not (yet) the current one does not stand for the next.
        var sent = await engines.SubmitAsync(Observe(site, $"command:{command.Id}:sent:{live.ConnectionId}", new CommandSent(command.Id, live.ConnectionId)));
        if (sent is Refused refused)
        {
            LogNotSent(logger, command.Id, command.Charger.Value, refused.Reason);
            return false;
        }

        CommandCallOutcome result;
        switch (CommandCalls.For(live.Rpc.Version, await links.ForChargerAsync(command, live, ct)))
        {
            case CommandCallResult.Ready ready:
                result = await ready.Call.SendAsync(live.Rpc, ct); // cancelled when stopping: the connection's close ends the command Offline
                break;
            case CommandCallResult.Refused refusedCall:
                LogCallRefused(logger, command.Id, command.Charger.Value, refusedCall.Reason);
                result = refusedCall.Outcome;
                break;
            default:
                throw new UnreachableException();
        }

        LogAnswered(logger, command.Id, command.Type, command.Charger.Value, result.Status, result.Response);
        metrics?.CommandAnswered(command.Type.ToString(), result.Status.ToString());
        await engines.SubmitAsync(Observe(site, $"command:{command.Id}:answered", new CommandAnswered(command.Id, result.Status, result.Response, result.Detail, result.TransactionId, result.Variables, result.FileName, result.ListVersion)));
        return true;
    }

    private Observation Observe(SiteId site, string key, ObservationPayload payload)
    {
        var now = time.GetUtcNow();
        return new Observation
        {
            Site = site,
            Source = $"dispatcher:{options.Value.NodeId}",
            Key = key,
            EventTime = now,
            ReceivedAt = now,
            Payload = payload,
        };
    }

    [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "Command {CommandId} ({Type}) to charger {Charger}: {Status} {Response}")]
    private static partial void LogAnswered(ILogger logger, string commandId, CommandType type, string charger, CommandStatus status, string? response);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Information, Message = "Command {CommandId} to charger {Charger} not sent: {Reason}")]
    private static partial void LogNotSent(ILogger logger, string commandId, string charger, string reason);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Error, Message = "Command {CommandId} to charger {Charger}: the CALL could not be made: {Reason}")]
    private static partial void LogCallRefused(ILogger logger, string commandId, string charger, string reason);

    [LoggerMessage(EventId = 1204, Level = LogLevel.Error, Message = "Sending commands to charger {Charger} failed; they stay pending")]
    private static partial void LogWorkerFailed(ILogger logger, string charger, Exception exception);

    [LoggerMessage(EventId = 1205, Level = LogLevel.Error, Message = "Site {Site}: reading the pending commands failed")]
    private static partial void LogReadFailed(ILogger logger, string site, Exception exception);

    [LoggerMessage(EventId = 1206, Level = LogLevel.Warning, Message = "More sites had commands waiting than the dispatcher's queue holds; looking at every site")]
    private static partial void LogOverflow(ILogger logger);
}
