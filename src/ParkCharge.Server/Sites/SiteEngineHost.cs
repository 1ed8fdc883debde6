using System.Threading.Channels;

using ParkCharge.Core.Engine;
using ParkCharge.Core.Observations;
using ParkCharge.Core.Sites;
using ParkCharge.Storage;
using ParkCharge.Storage.Log;

namespace ParkCharge.Server.Sites;

/// <summary>
/// The one writer of a site (DESIGN.md §1.2): takes the site's observations one at a time in arrival
/// order, decides with the pure engine, appends observations, events and projections in one
/// transaction and answers only after the commit. Observations that queue up while a commit is in
/// flight are decided together and appended as one unit.
/// </summary>
public sealed partial class SiteEngineHost : IAsyncDisposable
{
    private const int MaxUnit = 256;
    private const int MaxConflictRetries = 5;

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Store _store;
    private readonly ILogger _logger;
    private readonly Task _loop;
    private SiteState? _state;

    public SiteEngineHost(SiteId site, Store store, ILogger logger)
    {
        Site = site;
        _store = store;
        _logger = logger;
        _loop = Task.Run(RunAsync);
    }

    public SiteId Site { get; }

    /// <summary>How many replayed observations got a different answer than the one stored (should stay 0).</summary>
    public int ReplayDivergences { get; private set; }

    /// <summary>Decides on the observation and completes with its reply once it is durable.</summary>
    public Task<Reply> SubmitAsync(Observation observation)
    {
        if (observation.Site != Site)
        {
            throw new ArgumentException($"Observation for site '{observation.Site}' submitted to site '{Site}'.", nameof(observation));
        }

        var pending = new Pending(observation);
        ObjectDisposedException.ThrowIf(!_queue.Writer.TryWrite(pending), this);
        return pending.Reply.Task;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
    }

    private async Task RunAsync()
    {
        var unit = new List<Pending>(MaxUnit);
        while (await _queue.Reader.WaitToReadAsync())
        {
            unit.Clear();
            while (unit.Count < MaxUnit && _queue.Reader.TryRead(out var pending))
            {
                unit.Add(pending);
            }

            try
            {
                await DecideAndAppendAsync(unit);
            }
            catch (Exception e)
            {
                // The in-memory state may be ahead of the log now: rebuild it from the log before the next unit.
                _state = null;
                LogAppendFailed(_logger, Site.Value, unit.Count, e);
                foreach (var pending in unit)
                {
                    pending.Reply.TrySetException(e);
                }
            }
        }
    }

    private async Task DecideAndAppendAsync(List<Pending> unit)
    {
        for (var attempt = 1; ; attempt++)
        {
            _state ??= await LoadAsync();
            var entries = new List<LoggedObservation>(unit.Count);
            var replies = new Reply[unit.Count];
            for (var i = 0; i < unit.Count; i++)
            {
                var observation = unit[i].Observation;
                var decision = SiteEngine.Decide(_state, observation);
                replies[i] = decision.Reply;
                if (!decision.IsRepeat)
                {
                    var applied = _state.Apply(observation, decision);
                    entries.Add(new LoggedObservation(applied.Seq, observation, decision, applied.FirstEventSeq));
                }
            }

            try
            {
                if (entries.Count > 0)
                {
                    await _store.Writer.AppendAsync(new SiteAppend(Site, entries));
                }
            }
            catch (LogConflictException e) when (attempt < MaxConflictRetries)
            {
                // Another node appended to this site first: catch up from the log and decide again (DESIGN.md §6).
                LogConflict(_logger, Site.Value, attempt, e);
                _state = null;
                continue;
            }

            for (var i = 0; i < unit.Count; i++)
            {
                unit[i].Reply.TrySetResult(replies[i]);
            }

            return;
        }
    }

    /// <summary>
    /// Rebuilds the site's state by replaying its log through the engine. Each replayed answer is
    /// compared with the one stored: a difference means the engine changed its mind about the past.
    /// </summary>
    private async Task<SiteState> LoadAsync()
    {
        var state = new SiteState(Site);
        var count = 0;
        await foreach (var stored in _store.Log.ReadAsync(Site, 0, CancellationToken.None))
        {
            var decision = SiteEngine.Decide(state, stored.Observation);
            state.Apply(stored.Observation, decision);
            if (decision.Reply != stored.Reply)
            {
                ReplayDivergences++;
                LogDivergence(_logger, Site.Value, stored.Seq, stored.Observation.Payload.Kind);
            }

            count++;
        }

        LogLoaded(_logger, Site.Value, count, state.LastSeq);
        return state;
    }

    private sealed class Pending(Observation observation)
    {
        public Observation Observation { get; } = observation;

        public TaskCompletionSource<Reply> Reply { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Site {Site} loaded: {Count} observations replayed, last sequence {LastSeq}")]
    private static partial void LogLoaded(ILogger logger, string site, int count, long lastSeq);

    [LoggerMessage(Level = LogLevel.Error, Message = "Site {Site}: replaying observation {Seq} ({Kind}) gave a different answer than the one stored")]
    private static partial void LogDivergence(ILogger logger, string site, long seq, string kind);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Site {Site}: another writer appended first (attempt {Attempt}); reloading and deciding again")]
    private static partial void LogConflict(ILogger logger, string site, int attempt, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Site {Site}: appending {Count} observations failed; they were not accepted")]
    private static partial void LogAppendFailed(ILogger logger, string site, int count, Exception exception);
}
