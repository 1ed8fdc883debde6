using System.Diagnostics;
using System.Threading.Channels;

using ParkCharge.Core.Engine;
using ParkCharge.Core.Observations;
using ParkCharge.Core.Sites;
using ParkCharge.Server.Hosting;
using ParkCharge.Server.Telemetry;
using ParkCharge.Storage;
using ParkCharge.Storage.Log;

namespace ParkCharge.Server.Sites;

/// <summary>
/// The one writer of a site (DESIGN.md §1.2): takes the site's observations one at a time in arrival
/// order, decides with the pure engine, appends observations, events and projections in one
/// transaction and answers only after the commit. Observations that queue up while a commit is in
/// flight are decided together and appended as one unit. One observation the engine or the store
/// cannot take fails alone: never the others of its unit, never the next one from the same source,
/// and never with a reload of the site for every attempt.
/// </summary>
/// <remarks>
/// The site's queue is bounded (<see cref="QueueOptions.Site"/>): when the store falls behind, a source
/// waits for room at most <see cref="QueueOptions.MaxWait"/> and is then refused with
/// <see cref="SiteBusyException"/> (HTTP 503 with Retry-After, OCPP CALLERROR): nothing of it was accepted,
/// and everything accepted before stays. The loop is started by <see cref="SiteEngines"/> (a hosted
/// service), never by the constructor.
/// </remarks>
public sealed partial class SiteEngineHost : IAsyncDisposable
{
    private const int MaxUnit = 256;
    private const int MaxConflictRetries = 5;

    /// <summary>
    /// After a unit the store refused, this many observations are taken one at a time (each its own
    /// commit, taken into the state only once durable), so that a source sending what the store
    /// refuses costs one reload of the site, not one per unit; then units resume.
    /// </summary>
    private const int AloneAfterFailure = 1_000;

    /// <summary>
    /// A deadline at or before the last timer (set in the past by a late observation, or one the engine did
    /// not act on) gets a new timer this much later rather than none: the site's later deadlines must not stall.
    /// </summary>
    internal static readonly TimeSpan MissedDeadlineRetry = TimeSpan.FromSeconds(1);

    private readonly Channel<Pending> _queue;
    private readonly TimeSpan _maxWait;
    private readonly Store _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Action<SiteId>? _commandsWaiting;
    private readonly NodeMetrics? _metrics;
    private readonly TraceOrigins? _origins;
    private readonly SiteStateLoader _loader;
    private readonly SiteSnapshotSchedule? _snapshots;
    private Task? _loop;
    private SiteState? _state;
    private ITimer? _timer;

    /// <summary>The deadline the armed timer is for (null: none armed, or it has fired).</summary>
    private DateTimeOffset? _timerDue;

    /// <summary>The due time of the last timer observation submitted.</summary>
    private DateTimeOffset? _lastFired;

    private int _aloneFor;
    private int _deciding;

    /// <param name="queue">How many observations may wait, and how long a source waits for room.</param>
    /// <param name="commandsWaiting">Called after a unit that leaves a pending command for a connected charger (the dispatcher sends it).</param>
    /// <param name="metrics">Where the time to decide, the wait in the queue and what was committed are counted.</param>
    /// <param name="origins">Where the trace each committed event came from is noted, for its webhook deliveries.</param>
    /// <param name="snapshots">When snapshots of the state are written (none when null).</param>
    public SiteEngineHost(SiteId site, Store store, TimeProvider time, ILogger logger, QueueOptions queue, Action<SiteId>? commandsWaiting = null,
        NodeMetrics? metrics = null, TraceOrigins? origins = null, SnapshotOptions? snapshots = null)
    {
        _loader = new SiteStateLoader(store, logger);
        _snapshots = snapshots is { Enabled: true } ? new SiteSnapshotSchedule(site, store, snapshots, time, logger) : null;
        _metrics = metrics;
        _origins = origins;
        Site = site;
        _store = store;
        _time = time;
        _logger = logger;
        _commandsWaiting = commandsWaiting;
        _maxWait = queue.MaxWait;
        _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(queue.Site) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    }

    public SiteId Site { get; }

    /// <summary>How many times the state was rebuilt from the log (at start, after a conflict, after a failed unit).</summary>
    public int Loads { get; private set; }

    /// <summary>How many replayed observations got a different answer than the one stored (should stay 0).</summary>
    public int ReplayDivergences { get; private set; }

    /// <summary>Observations and reads waiting for the engine.</summary>
    public int Queued => _queue.Reader.Count;

    /// <summary>Observations and reads of the unit being decided and stored now (0 when the engine is idle).</summary>
    public int Deciding => Volatile.Read(ref _deciding);

    /// <summary>Starts the site's loop (once).</summary>
    internal void Start()
    {
        if (Interlocked.CompareExchange(ref _loop, Task.CompletedTask, null) is not null)
        {
            throw new InvalidOperationException($"The engine of site '{Site}' is running already.");
        }

        Volatile.Write(ref _loop, Task.Run(RunAsync));
    }

    /// <summary>Decides on the observation and completes with its reply once it is durable.</summary>
    /// <exception cref="SiteBusyException">The site's queue stayed full for <see cref="QueueOptions.MaxWait"/>: nothing was accepted.</exception>
    public Task<Reply> SubmitAsync(Observation? observation)
    {
        if (observation is not null && observation.Site != Site)
        {
            throw new ArgumentException($"Observation for site '{observation.Site}' submitted to site '{Site}'.", nameof(observation));
        }

        var pending = new Pending(observation);
        return _queue.Writer.TryWrite(pending) ? pending.Reply.Task : WaitForRoomAsync(pending, observation);
    }

    /// <summary>
    /// Reads the site's state on the engine's own loop, after everything submitted before is durable
    /// (so what it sees is what the log holds). For answers that need the live state, like an estimate.
    /// </summary>
    /// <exception cref="SiteBusyException">The site's queue stayed full for <see cref="QueueOptions.MaxWait"/>.</exception>
    public async Task<T> ReadAsync<T>(Func<SiteState, T> read)
    {
        var pending = new Pending(null) { Query = state => read(state) };
        if (!_queue.Writer.TryWrite(pending))
        {
            await WaitForRoomAsync(pending, null);
        }

        await pending.Reply.Task;
        return (T)(await pending.Result.Task)!;
    }

    /// <summary>
    /// Back-pressure: waits for room in the site's queue, in real time (it bounds how long a charger or a
    /// client is held, whatever clock the node decides on), then refuses.
    /// </summary>
    private async Task<Reply> WaitForRoomAsync(Pending pending, Observation? observation)
    {
        using var wait = new CancellationTokenSource(_maxWait);
        try
        {
            await _queue.Writer.WriteAsync(pending, wait.Token);
        }
        catch (OperationCanceledException) when (wait.IsCancellationRequested)
        {
            LogBusy(_logger, Site.Value, _queue.Reader.Count, observation?.Source ?? "a read", observation?.Payload.Kind ?? "query");
            throw new SiteBusyException(Site, _queue.Reader.Count);
        }
        catch (ChannelClosedException)
        {
            throw new ObjectDisposedException(nameof(SiteEngineHost), $"The engine of site '{Site}' has stopped.");
        }

        return await pending.Reply.Task;
    }

    /// <summary>Loads the site's state now rather than at its first observation (and arms its timers).</summary>
    public Task WarmUpAsync() => SubmitAsync(null);

    /// <summary>
    /// Builds the site's state again from the store, after what is submitted before (the log was rewritten under it:
    /// a retention pass replaced plates by pseudonyms, which the state and its next snapshots must not keep).
    /// </summary>
    public Task ReloadAsync()
    {
        var pending = new Pending(null) { Reload = true };
        return _queue.Writer.TryWrite(pending) ? pending.Reply.Task : WaitForRoomAsync(pending, null);
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (Volatile.Read(ref _loop) is { } loop)
        {
            await loop;
        }

        if (_timer is not null)
        {
            await _timer.DisposeAsync();
        }

        if (_snapshots is not null)
        {
            await _snapshots.FlushAsync();
        }
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

            Volatile.Write(ref _deciding, unit.Count);
            foreach (var pending in unit)
            {
                if (pending.Reload)
                {
                    _state = null;
                }

                _metrics?.Waited(Stopwatch.GetElapsedTime(pending.Enqueued));
                if (pending.TimerDue is not null)
                {
                    pending.Observation = TimerObservation(pending);
                }
            }

            try
            {
                if (unit.Count == 1 || _aloneFor > 0)
                {
                    foreach (var pending in unit)
                    {
                        await DecideAloneAsync(pending);
                    }

                    AfterUnit(unit);
                }
                else
                {
                    await DecideAndAppendAsync(unit);
                }
            }
            catch (Exception e)
            {
                // The store cannot be read or written (it is down): nothing of the unit is accepted. The
                // in-memory state may be ahead of the log now: rebuild it from the log before the next
                // unit, and arm the timer afresh then (a timer observation may be among the failed ones).
                _state = null;
                _timerDue = null;
                _lastFired = null;
                LogAppendFailed(_logger, Site.Value, unit.Count, e);
                foreach (var pending in unit)
                {
                    pending.Reply.TrySetException(e);
                }
            }
            finally
            {
                Volatile.Write(ref _deciding, 0);
            }
        }
    }

    /// <summary>
    /// The unit together: decided one after the other, appended in one transaction. An observation the
    /// engine fails on fails alone (deciding is pure: the state is untouched). When the unit cannot be
    /// appended for another reason than the store being down, which observation is to blame is not
    /// known: the state is rebuilt from the log once and the observations are taken one at a time
    /// (<see cref="DecideAloneAsync"/>), so the one that fails, fails alone and the others are accepted.
    /// </summary>
    private async Task DecideAndAppendAsync(List<Pending> unit)
    {
        for (var attempt = 1; ; attempt++)
        {
            _state ??= await LoadAsync();
            var entries = new List<LoggedObservation>(unit.Count);
            var replies = new Reply?[unit.Count];
            try
            {
                for (var i = 0; i < unit.Count; i++)
                {
                    if (unit[i].Observation is not { } observation)
                    {
                        replies[i] = Acknowledged.Instance; // a warm-up, or a timer that fired early: nothing to decide
                        continue;
                    }

                    if (TryDecide(unit[i], observation) is not { } decision)
                    {
                        continue;
                    }

                    replies[i] = decision.Reply;
                    if (!decision.IsRepeat)
                    {
                        var applied = _state.Apply(observation, decision);
                        entries.Add(new LoggedObservation(applied.Seq, observation, decision, applied.FirstEventSeq));
                    }
                }

                if (entries.Count > 0)
                {
                    var committing = _time.GetUtcNow();
                    await _store.Writer.AppendAsync(new SiteAppend(Site, entries));
                    Committed(unit, entries, committing);
                }
            }
            catch (LogConflictException e) when (attempt < MaxConflictRetries)
            {
                // Another node appended to this site first: catch up from the log and decide again (DESIGN.md §6).
                LogConflict(_logger, Site.Value, attempt, e);
                _state = null;
                continue;
            }
            catch (Exception e) when (e is not LogConflictException && !_store.Database.IsUnavailable(e))
            {
                LogUnitRetriedAlone(_logger, Site.Value, unit.Count, e);
                _aloneFor = AloneAfterFailure;
                _state = null;
                _state = await LoadAsync();
                foreach (var pending in unit)
                {
                    if (!pending.Reply.Task.IsCompleted)
                    {
                        await DecideAloneAsync(pending);
                    }
                }

                AfterUnit(unit);
                return;
            }

            for (var i = 0; i < unit.Count; i++)
            {
                if (replies[i] is { } reply)
                {
                    unit[i].Reply.TrySetResult(reply);
                }
            }

            AfterUnit(unit);
            return;
        }
    }

    /// <summary>
    /// One observation: decided, appended, and only once it is durable taken into the state, so that an
    /// observation the engine or the store cannot take fails alone and changes nothing, without a reload.
    /// </summary>
    private async Task DecideAloneAsync(Pending pending)
    {
        _state ??= await LoadAsync();
        if (pending.Observation is not { } observation)
        {
            pending.Reply.TrySetResult(Acknowledged.Instance);
            return;
        }

        for (var attempt = 1; ; attempt++)
        {
            _state ??= await LoadAsync();
            if (TryDecide(pending, observation) is not { } decision)
            {
                return;
            }

            if (decision.IsRepeat)
            {
                pending.Reply.TrySetResult(decision.Reply);
                return;
            }

            var entry = new LoggedObservation(_state.LastSeq + 1, observation, decision, decision.Events.Count == 0 ? 0 : _state.LastEventSeq + 1);
            var committing = _time.GetUtcNow();
            try
            {
                await _store.Writer.AppendAsync(new SiteAppend(Site, [entry]));
            }
            catch (LogConflictException e) when (attempt < MaxConflictRetries)
            {
                LogConflict(_logger, Site.Value, attempt, e);
                _state = null;
                continue;
            }
            catch (Exception e) when (e is not LogConflictException && !_store.Database.IsUnavailable(e))
            {
                // The store refused this observation's rows: nothing of it is in the log, and the state never saw it.
                _aloneFor = AloneAfterFailure;
                LogObservationFailed(_logger, Site.Value, observation.Source, observation.Payload.Kind, observation.Key, e);
                pending.Reply.TrySetException(new ObservationFailedException(observation, e));
                return;
            }

            try
            {
                if (_state.Apply(observation, decision).Seq != entry.Seq)
                {
                    throw new InvalidOperationException($"The state gave sequence {_state.LastSeq} to what the log holds as {entry.Seq}.");
                }
            }
            catch (Exception e)
            {
                // Durable, so answered; the state is rebuilt from the log before the next observation.
                LogObservationFailed(_logger, Site.Value, observation.Source, observation.Payload.Kind, observation.Key, e);
                _state = null;
            }

            _aloneFor = Math.Max(0, _aloneFor - 1);
            Committed([pending], [entry], committing);
            pending.Reply.TrySetResult(decision.Reply);
            return;
        }
    }

    /// <summary>The engine's decision; null (and the source told) when the engine failed on it, which leaves the state as it was.</summary>
    private Decision? TryDecide(Pending pending, Observation observation)
    {
        using var span = NodeTelemetry.StartSpan("engine.decide", ActivityKind.Internal, pending.Trace);
        span?.SetTag("parkcharge.site", Site.Value);
        span?.SetTag("parkcharge.observation", observation.Payload.Kind);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var decision = SiteEngine.Decide(_state!, observation);
            var answer = decision.IsRepeat ? "repeat" : decision.Reply is Refused ? "refused" : "accepted";
            _metrics?.Decided(observation.Payload.Kind, Stopwatch.GetElapsedTime(started), answer);
            span?.SetTag("parkcharge.answer", answer);
            span?.SetTag("parkcharge.events", decision.Events.Count);
            return decision;
        }
        catch (Exception e)
        {
            _metrics?.Decided(observation.Payload.Kind, Stopwatch.GetElapsedTime(started), "failed");
            span?.SetStatus(ActivityStatusCode.Error, e.Message);
            LogObservationFailed(_logger, Site.Value, observation.Source, observation.Payload.Kind, observation.Key, e);
            pending.Reply.TrySetException(new ObservationFailedException(observation, e));
            return null;
        }
    }

    /// <summary>
    /// Telemetry of a commit: the events it made durable counted, and for each observation that came with a
    /// trace, a <c>store.commit</c> span from the append to its commit, and its events' origin noted for their webhooks.
    /// </summary>
    private void Committed(List<Pending> unit, List<LoggedObservation> entries, DateTimeOffset started)
    {
        if (_metrics is null && _origins is null)
        {
            return;
        }

        var ended = _time.GetUtcNow();
        var traces = new Dictionary<Observation, ActivityContext>(ReferenceEqualityComparer.Instance);
        foreach (var pending in unit)
        {
            if (pending.Observation is { } observation && pending.Trace != default)
            {
                traces[observation] = pending.Trace;
            }
        }

        foreach (var entry in entries)
        {
            foreach (var e in entry.Decision.Events)
            {
                _metrics?.EventCommitted(e.Type);
            }

            if (!traces.TryGetValue(entry.Observation, out var trace))
            {
                continue;
            }

            _origins?.Remember(Site.Value, entry.FirstEventSeq, entry.Decision.Events.Count, trace);
            var span = NodeTelemetry.StartSpan("store.commit", ActivityKind.Internal, trace, started);
            span?.SetTag("parkcharge.site", Site.Value);
            span?.SetTag("parkcharge.seq", entry.Seq);
            span?.SetTag("parkcharge.unit", entries.Count);
            NodeTelemetry.EndSpan(span, ended);
        }
    }

    /// <summary>Answers the unit's reads, re-arms the timer and wakes the command dispatcher.</summary>
    private void AfterUnit(List<Pending> unit)
    {
        if (_state is null)
        {
            return;
        }

        foreach (var pending in unit)
        {
            if (pending.Query is { } query)
            {
                try
                {
                    pending.Result.TrySetResult(query(_state));
                }
                catch (Exception e)
                {
                    pending.Result.TrySetException(e);
                }
            }
        }

        ArmTimer(_state.NextDeadline);
        _snapshots?.AfterUnit(_state, idle: _queue.Reader.Count == 0);
        // A unit of reads and warm-ups only changed nothing: the dispatcher that reads the commands is not woken again by its
        // own reads (in cluster mode, a command for a charger held by another node stays pending here until that node sends it).
        if (_commandsWaiting is not null && unit.Exists(p => p.Observation is not null || p.Reload) && HasCommandsToSend(_state))
        {
            _commandsWaiting(Site);
        }
    }

    private static bool HasCommandsToSend(SiteState state)
    {
        foreach (var command in state.Commands.Open)
        {
            if (command.Status == Core.Commands.CommandStatus.Pending && state.FindCharger(command.Charger)?.Connection is not null)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Rebuilds the site's state: the newest usable snapshot and the log after it (<see cref="SiteStateLoader"/>). Each
    /// replayed answer is compared with the one stored: a difference means the engine changed its mind about the past.
    /// </summary>
    private async Task<SiteState> LoadAsync()
    {
        Loads++;
        var load = await _loader.LoadAsync(Site, CancellationToken.None);
        ReplayDivergences += load.Divergences;
        _snapshots?.Loaded(load);
        return load.State;
    }

    /// <summary>
    /// Keeps one timer armed for the state's next deadline (DESIGN.md §1.2: timers are observations too),
    /// re-armed after every unit when the deadline moved or the armed timer has fired.
    /// </summary>
    private void ArmTimer(DateTimeOffset? due)
    {
        if (due is { } next && _lastFired is { } fired && next <= fired)
        {
            // A deadline at or before the last timer submitted: one a late observation set in the past (an ICE
            // limit from a read buffered for minutes), or the timer's own deadline that the engine did not act
            // on (a bug). Arming a timer for that moment again would be a repeat (same key) and change nothing;
            // never arming again would stall every later deadline of the site. A new timer shortly after meets
            // it: every rule acts on all its deadlines at or before the timer's due time.
            if (next == fired)
            {
                LogDeadlineMissed(_logger, Site.Value, next);
            }

            var now = _time.GetUtcNow();
            due = (now > fired ? now : fired) + MissedDeadlineRetry;
        }

        if (due == _timerDue)
        {
            return;
        }

        _timerDue = due;
        _timer?.Dispose();
        _timer = null;
        if (due is not { } at)
        {
            return;
        }

        _timer = _time.CreateTimer(_ => Fire(at), null, DelayUntil(at, _time.GetUtcNow()), Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// The delay to arm a timer with: never less than what is left, rounded up to whole milliseconds (timers
    /// count in milliseconds; a delay rounded down fires before the deadline).
    /// </summary>
    internal static TimeSpan DelayUntil(DateTimeOffset due, DateTimeOffset now)
    {
        var left = due - now;
        return left <= TimeSpan.Zero ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Math.Ceiling(left.TotalMilliseconds));
    }

    /// <summary>The timer's callback: the loop decides whether its deadline has come (it owns the timer).</summary>
    private void Fire(DateTimeOffset due)
    {
        var pending = new Pending(null) { TimerDue = due };
        if (!_queue.Writer.TryWrite(pending))
        {
            // The queue is full: the timer waits for room as long as it takes (the loop arms the next timer
            // only after this one has come through, so dropping it would stall the site's deadlines).
            _ = WaitForTimerRoomAsync(pending);
        }
    }

    private async Task WaitForTimerRoomAsync(Pending pending)
    {
        try
        {
            await _queue.Writer.WriteAsync(pending);
        }
        catch (ChannelClosedException)
        {
            // The host is stopping: the deadline is met when the site next loads.
        }
    }

    /// <summary>
    /// On the loop: the observation of a timer that fired, if its deadline has come by the clock. Timers
    /// fire early (a clock coarser than the deadline, an accelerated clock's rounding, a timer queue that
    /// counts differently from the wall clock): such a one is armed again for what is left, and nothing
    /// is decided before the deadline.
    /// </summary>
    private Observation? TimerObservation(Pending pending)
    {
        if (pending.TimerDue is not { } due || (_timerDue is { } armed && due != armed))
        {
            return null; // a warm-up, or a timer replaced by a later ArmTimer before its callback ran
        }

        _timerDue = null; // fired: ArmTimer arms again after this unit, for this deadline or the next
        var now = _time.GetUtcNow();
        if (now < due)
        {
            LogTimerEarly(_logger, Site.Value, due, due - now);
            return null;
        }

        _lastFired = due;
        return new Observation
        {
            Site = Site,
            Source = "timer",
            Key = FormattableString.Invariant($"timer:{due.UtcTicks}"),
            EventTime = due,
            ReceivedAt = now,
            Payload = new TimerElapsed(due),
        };
    }

    private sealed class Pending(Observation? observation)
    {
        /// <summary>The trace the source was in when it submitted (a charger's frame, a camera push), if traced.</summary>
        public ActivityContext Trace { get; } = Activity.Current?.Context ?? default;

        /// <summary>When it was queued, for the time it waited.</summary>
        public long Enqueued { get; } = Stopwatch.GetTimestamp();

        /// <summary>The observation; for a timer that fired, made on the loop once its deadline has come.</summary>
        public Observation? Observation { get; set; } = observation;

        /// <summary>The state is to be built again from the store before this (<see cref="ReloadAsync"/>).</summary>
        public bool Reload { get; init; }

        /// <summary>A timer fired for this deadline (no observation yet: the loop makes it when the deadline has come).</summary>
        public DateTimeOffset? TimerDue { get; init; }

        public TaskCompletionSource<Reply> Reply { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Func<SiteState, object?>? Query { get; init; }

        public TaskCompletionSource<object?> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Site {Site}: another writer appended first (attempt {Attempt}); reloading and deciding again")]
    private static partial void LogConflict(ILogger logger, string site, int attempt, Exception exception);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Debug, Message = "Site {Site}: the timer for {Due:O} fired {Early} early; armed again")]
    private static partial void LogTimerEarly(ILogger logger, string site, DateTimeOffset due, TimeSpan early);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Error, Message = "Site {Site}: the engine did not act on the deadline {Deadline:O} when its timer came; trying again with a later timer")]
    private static partial void LogDeadlineMissed(ILogger logger, string site, DateTimeOffset deadline);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Error, Message = "Site {Site}: observation {Key} ({Kind}) from {Source} could not be decided or stored; it alone was refused")]
    private static partial void LogObservationFailed(ILogger logger, string site, string source, string kind, string key, Exception exception);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Warning, Message = "Site {Site}: a unit of {Count} observations could not be appended; taking them one at a time")]
    private static partial void LogUnitRetriedAlone(ILogger logger, string site, int count, Exception exception);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Error, Message = "Site {Site}: appending {Count} observations failed; they were not accepted")]
    private static partial void LogAppendFailed(ILogger logger, string site, int count, Exception exception);

    [LoggerMessage(EventId = 2009, Level = LogLevel.Warning, Message = "Site {Site}: {Count} observations are waiting for the store; {Kind} from {Source} was refused (try again later)")]
    private static partial void LogBusy(ILogger logger, string site, int count, string source, string kind);
}
