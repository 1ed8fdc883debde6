using Microsoft.Extensions.Options;

using Orleans.Concurrency;

using ParkCharge.Core.Engine;
using ParkCharge.Core.Observations;
using ParkCharge.Core.Sites;
using ParkCharge.Server.Hosting;
using ParkCharge.Server.Sites;
using ParkCharge.Storage.Json;

namespace ParkCharge.Server.Cluster;

/// <summary>
/// A site's engine in the cluster (DESIGN.md §6): Orleans keeps one activation per site, on some node, and
/// routes every observation of the site to it, whichever node received it. The activation runs the same
/// <see cref="SiteEngineHost"/> a single node runs; the grain only carries observations and replies.
/// </summary>
public interface ISiteEngineGrain : IGrainWithStringKey
{
    /// <summary>Decides on the observation; the reply comes once it is durable, as on one node.</summary>
    Task<WireReply> Submit(WireObservation observation);

    /// <summary>Completes once everything submitted before is durable; answers the node the engine runs on.</summary>
    Task<string> Barrier();

    /// <summary>Builds the engine's state again from the store (the log was rewritten under it).</summary>
    Task Reload();
}

/// <summary>
/// Reentrant: each call only queues its observation on the engine's loop (in the order the calls arrive) and
/// waits for the reply, so that observations arriving together are decided and committed as one unit, as on
/// one node. Never collected while its node runs: its engine holds the site's timers.
/// </summary>
[Reentrant]
[CollectionAgeLimit(AlwaysActive = true)]
internal sealed class SiteEngineGrain(SiteEngines engines, IOptions<ParkChargeOptions> options) : Grain, ISiteEngineGrain
{
    private SiteEngineHost? _host;

    private SiteEngineHost Host => _host ?? throw new InvalidOperationException("The site's engine is not active.");

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _host = engines.For(new SiteId(this.GetPrimaryKeyString()));
        await _host.WarmUpAsync();
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _host = null;
        await engines.RetireAsync(new SiteId(this.GetPrimaryKeyString()));
    }

    public async Task<WireReply> Submit(WireObservation observation)
    {
        try
        {
            return WireReply.Of(await Host.SubmitAsync(observation.ToObservation()));
        }
        catch (SiteBusyException busy)
        {
            return WireReply.Failed(WireReply.Busy, busy.Message, Host.Queued);
        }
        catch (ObservationFailedException failed)
        {
            return WireReply.Failed(WireReply.ObservationFailed, failed.InnerException?.Message ?? failed.Message);
        }
    }

    public async Task<string> Barrier()
    {
        await Host.WarmUpAsync();
        return options.Value.NodeId;
    }

    public Task Reload() => Host.ReloadAsync();
}

/// <summary>An observation between nodes: its payload in the log's own JSON.</summary>
[GenerateSerializer]
public sealed class WireObservation
{
    [Id(0)] public required string Site { get; init; }

    [Id(1)] public required string Source { get; init; }

    [Id(2)] public required string Key { get; init; }

    [Id(3)] public DateTimeOffset EventTime { get; init; }

    [Id(4)] public DateTimeOffset ReceivedAt { get; init; }

    [Id(5)] public required string Payload { get; init; }

    public static WireObservation Of(Observation o) => new()
    {
        Site = o.Site.Value,
        Source = o.Source,
        Key = o.Key,
        EventTime = o.EventTime,
        ReceivedAt = o.ReceivedAt,
        Payload = LogJson.Serialize(o.Payload),
    };

    public Observation ToObservation() => new()
    {
        Site = new SiteId(Site),
        Source = Source,
        Key = Key,
        EventTime = EventTime,
        ReceivedAt = ReceivedAt,
        Payload = LogJson.DeserializePayload(Payload),
    };
}

/// <summary>A site engine's reply between nodes, or why there is none (the same refusals as on one node).</summary>
[GenerateSerializer]
public sealed class WireReply
{
    public const string Busy = "busy";
    public const string ObservationFailed = "failed";

    [Id(0)] public string? Reply { get; init; }

    [Id(1)] public string? Error { get; init; }

    [Id(2)] public string? Message { get; init; }

    [Id(3)] public int Waiting { get; init; }

    public static WireReply Of(Reply reply) => new() { Reply = LogJson.Serialize(reply) };

    public static WireReply Failed(string error, string message, int waiting = 0) => new() { Error = error, Message = message, Waiting = waiting };

    /// <summary>The reply, or the refusal thrown as on one node.</summary>
    public Reply ToReply(Observation observation) => Error switch
    {
        null => LogJson.DeserializeReply(Reply!),
        Busy => throw new SiteBusyException(observation.Site, Waiting),
        _ => throw new ObservationFailedException(observation, new InvalidOperationException(Message)),
    };
}
