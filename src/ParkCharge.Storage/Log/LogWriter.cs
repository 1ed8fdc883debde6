using System.Data.Common;
using System.Threading.Channels;

using Microsoft.Extensions.Logging;

using ParkCharge.Core.Charging;
using ParkCharge.Storage.Events;
using ParkCharge.Storage.MessageLog;
using ParkCharge.Storage.Projections;

namespace ParkCharge.Storage.Log;

/// <summary>
/// The single writer of the store, with group commit: whatever is queued while a transaction commits
/// goes into the next one, so many sites' appends (and message-log frames) share one fsync. An
/// append's task completes only after its transaction committed: accepted means durable (DESIGN.md §1.3).
/// The rows of an append are prepared on the caller's thread (JSON, value conversion), so the writer
/// only executes SQL, with statements prepared once per connection.
/// </summary>
/// <remarks>
/// The message log has a writer of its own (<see cref="LogWriter(Database, Outbox, ILogger{LogWriter}, int, LogWriter?)"/>'s
/// <c>frames</c>: on SQLite a file of its own, on PostgreSQL a connection of its own): frames decide nothing, so they need
/// not share the appends' transactions, and written beside them they use the second core rather than the appends' thread.
/// The queue is bounded (<see cref="StoreOptions.WriterQueueCapacity"/>): when the store falls behind,
/// an append waits for room (its site engine waits with it, and so, after a bounded wait, do the sources:
/// they are told to retry), and message-log frames, which are not accepted observations and whose
/// recorder must not wait, are dropped and counted (<see cref="DroppedFrames"/>, logged). The loop is
/// started by <see cref="Start"/> (the node's hosted service, or the command that opened the store), not
/// by the constructor, and drained by <see cref="DisposeAsync"/>.
/// </remarks>
public sealed partial class LogWriter : IAsyncDisposable
{
    private const int DefaultMaxBatch = 512;

    /// <summary>
    /// A batch of message-log frames alone waits this long for an append to share its commit: at low
    /// load a frame and the observation it carried would otherwise cost two fsyncs.
    /// </summary>
    private static readonly TimeSpan FrameLinger = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// The message log's own writer gathers frames this long (or up to <see cref="FrameBatch"/> of them) into one commit.
    /// Frames are never awaited by an answer, so the wait costs no charger anything; and the in and out frames of an
    /// exchange, a few milliseconds apart, then share a commit and the charger's page of <c>message_log_by_charger</c>
    /// (issue 17: committed as they came, 92 % of the message log's WAL frames were that index, one page per frame).
    /// </summary>
    internal static readonly TimeSpan FrameWindow = TimeSpan.FromMilliseconds(100);

    /// <summary>The most frames one commit of the message log's own writer takes.</summary>
    internal const int FrameBatch = 4096;

    private const string InsertFrame = """
        INSERT INTO message_log (charger_id, connection_id, direction, at, message_type, message_id, action, error_code, frame)
        VALUES (@charger, @connection, @direction, @at, @message_type, @message_id, @action, @error_code, @frame)
        """;

    private const string TouchCharger = """
        UPDATE chargers SET last_seen_at = @at WHERE id = @id AND (last_seen_at IS NULL OR last_seen_at < @at)
        """;

    private readonly Channel<Request> _queue;
    private readonly Database _database;
    private readonly Outbox _outbox;
    private readonly ILogger _logger;
    private Task? _loop;
    private DbConnection? _connection;
    private Statements? _statements;
    private int _started;
    private volatile bool _closed;
    private long _droppedFrames;
    private int _writing;
    private long _droppedFramesLogged;
    private readonly LogWriter? _frames;
    private TimeSpan _frameWindow;
    private long _commits;

    /// <param name="frames">The message log's own writer, which <see cref="Record"/> hands frames to; without it, frames share this writer's commits.</param>
    public LogWriter(Database database, Outbox outbox, ILogger<LogWriter> logger, int capacity = StoreOptions.DefaultWriterQueueCapacity, LogWriter? frames = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _frames = frames;
        _database = database;
        _outbox = outbox;
        _logger = logger;
        _queue = Channel.CreateBounded<Request>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        if (frames is not null)
        {
            frames._frameWindow = FrameWindow;
        }
    }

    /// <summary>Writes waiting for their commit (for tests and diagnostics).</summary>
    public int Queued => _queue.Reader.Count;

    /// <summary>Writes of the group commit in progress (0 when the writer is idle).</summary>
    public int Writing => Volatile.Read(ref _writing);

    /// <summary>Transactions this writer has committed (tests and diagnostics).</summary>
    internal long Commits => Interlocked.Read(ref _commits);

    /// <summary>How long a commit of frames alone waits for more (<see cref="FrameWindow"/> on the message log's own writer, else zero).</summary>
    internal TimeSpan FrameGathering
    {
        get => _frameWindow;
        set => _frameWindow = value;
    }

    /// <summary>The most requests one commit takes: <see cref="FrameBatch"/> on the message log's own writer (it gathers), else <see cref="DefaultMaxBatch"/>.</summary>
    private int MaxBatch => _frameWindow > TimeSpan.Zero ? FrameBatch : DefaultMaxBatch;

    /// <summary>The message log's own writer, which frames go to (null when they share this writer's commits).</summary>
    public LogWriter? FrameWriter => _frames;

    /// <summary>Message-log frames (and last-seen notes) dropped because the queue was full.</summary>
    public long DroppedFrames => Interlocked.Read(ref _droppedFrames) + (_frames?.DroppedFrames ?? 0);

    /// <summary>Starts the writer's loop. Until then, appends wait in the queue.</summary>
    /// <exception cref="InvalidOperationException">It was started already.</exception>
    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) == 1)
        {
            throw new InvalidOperationException("The log writer is running already.");
        }

        _frames?.Start();
        Volatile.Write(ref _loop, Task.Run(RunAsync));
    }

    /// <summary>Appends a site's observations, events and projections; completes when committed.</summary>
    /// <exception cref="LogConflictException">Another writer took one of the sequence numbers or keys first.</exception>
    public async Task AppendAsync(SiteAppend append)
    {
        var rows = new RowRecorder(_database);
        await ProjectionWriter.WriteAsync(rows, append, CancellationToken.None);
        var lastEventSeq = 0L;
        foreach (var entry in append.Entries)
        {
            if (entry.Decision.Events.Count > 0)
            {
                lastEventSeq = Math.Max(lastEventSeq, entry.FirstEventSeq + entry.Decision.Events.Count - 1);
            }
        }

        var request = new AppendRequest(append.Site, rows.Rows, lastEventSeq);
        await EnqueueAsync(request);
        await request.Done.Task;
    }

    /// <summary>
    /// Keeps a frame in the message log. Not awaited: it rides along with the message log writer's next commit. When
    /// its queue is full the frame is dropped (the recorder runs on the connection's own loop and must not wait).
    /// </summary>
    public void Record(MessageLogEntry f)
    {
        if (_frames is not null)
        {
            _frames.Record(f);
            return;
        }

        Offer(Frame(f));
    }

    private FrameRequest Frame(MessageLogEntry f) => new(new Row(InsertFrame,
    [
        ("charger", f.Charger.Value), ("connection", f.ConnectionId), ("direction", f.Direction == MessageDirection.In ? "in" : "out"),
        ("at", _database.Instant(f.At)), ("message_type", f.MessageType), ("message_id", f.MessageId), ("action", f.Action),
        ("error_code", f.ErrorCode), ("frame", f.Frame),
    ]));

    /// <summary>Notes that a charger was heard from (any frame), for its last-seen time; dropped, like a frame, when the queue is full.</summary>
    public void Touch(ChargerId charger, DateTimeOffset at) => Offer(new TouchRequest(charger, at));

    /// <summary>Completes when everything queued before it is committed (message-log frames too).</summary>
    public async Task FlushAsync()
    {
        await FlushOwnAsync();
        if (_frames is not null)
        {
            await _frames.FlushOwnAsync();
        }
    }

    private async Task FlushOwnAsync()
    {
        var request = new FlushRequest();
        try
        {
            await _queue.Writer.WriteAsync(request);
        }
        catch (ChannelClosedException)
        {
            return; // disposed: everything queued before was written
        }

        await request.Done.Task;
    }

    public async ValueTask DisposeAsync()
    {
        _closed = true;
        _queue.Writer.TryComplete();
        if (Volatile.Read(ref _loop) is { } loop)
        {
            await loop;
        }

        await CloseConnectionAsync();
        if (_frames is not null)
        {
            await _frames.DisposeAsync();
        }
    }

    /// <summary>Waits for room in the queue (back-pressure on the appending site engine).</summary>
    private async ValueTask EnqueueAsync(Request request)
    {
        try
        {
            await _queue.Writer.WriteAsync(request);
        }
        catch (ChannelClosedException)
        {
            throw new ObjectDisposedException(nameof(LogWriter));
        }
    }

    private void Offer(Request request)
    {
        if (!_queue.Writer.TryWrite(request) && !_closed)
        {
            Interlocked.Increment(ref _droppedFrames);
            StoreMetrics.FrameDropped();
        }
    }

    private async Task RunAsync()
    {
        var batch = new List<Request>(DefaultMaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            Drain(batch);
            NoteDroppedFrames();
            if (_frameWindow > TimeSpan.Zero)
            {
                await GatherFramesAsync(batch);
            }
            else if (batch.TrueForAll(r => r is FrameRequest or TouchRequest))
            {
                using var linger = new CancellationTokenSource(FrameLinger);
                try
                {
                    await _queue.Reader.WaitToReadAsync(linger.Token);
                }
                catch (OperationCanceledException)
                {
                    // Nothing came to share the commit with.
                }

                Drain(batch);
            }

            Volatile.Write(ref _writing, batch.Count);
            try
            {
                await WriteAsync(batch);
                Complete(batch, null);
            }
            catch (Exception e) when (batch.Count(r => r is AppendRequest or FrameRequest) > 1 && !_database.IsUnavailable(e))
            {
                // One site's conflict, or one row the store refuses, must not fail the other appends and
                // frames of the commit: write them one by one. (Not when the store is down: all would fail.)
                LogBatchRetried(_logger, batch.Count, e);
                foreach (var request in batch)
                {
                    await WriteAloneAsync(request);
                }
            }
            catch (Exception e)
            {
                LogBatchFailed(_logger, batch.Count, e);
                Complete(batch, e);
            }
            finally
            {
                Volatile.Write(ref _writing, 0);
            }
        }
    }

    /// <summary>
    /// The message log's own writer: frames that come within <see cref="FrameWindow"/> of the first join its commit, up to
    /// <see cref="FrameBatch"/>. A flush (or the writer closing) ends the wait at once.
    /// </summary>
    private async Task GatherFramesAsync(List<Request> batch)
    {
        using var window = new CancellationTokenSource(_frameWindow);
        var seen = 0;
        while (batch.Count < MaxBatch)
        {
            for (; seen < batch.Count; seen++)
            {
                if (batch[seen] is not (FrameRequest or TouchRequest))
                {
                    return; // someone waits for this commit
                }
            }

            try
            {
                if (!await _queue.Reader.WaitToReadAsync(window.Token))
                {
                    return; // closing: write what is there
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }

            Drain(batch);
        }
    }

    private void NoteDroppedFrames()
    {
        var dropped = DroppedFrames;
        var logged = Interlocked.Exchange(ref _droppedFramesLogged, dropped);
        if (dropped > logged)
        {
            LogFramesDropped(_logger, dropped - logged, dropped);
        }
    }

    private void Drain(List<Request> batch)
    {
        while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var request))
        {
            batch.Add(request);
        }
    }

    private async Task WriteAloneAsync(Request request)
    {
        try
        {
            await WriteAsync([request]);
            Complete([request], null);
        }
        catch (Exception e)
        {
            LogBatchFailed(_logger, 1, e);
            Complete([request], e);
        }
    }

    private async Task WriteAsync(List<Request> batch)
    {
        if (batch.TrueForAll(r => r is FlushRequest))
        {
            return;
        }

        _connection ??= await _database.OpenWriterAsync(CancellationToken.None);
        _statements ??= new Statements(_database, _connection);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            await using var transaction = await _connection.BeginTransactionAsync();
            _statements.Use(transaction);
            var touches = new Dictionary<ChargerId, DateTimeOffset>();
            foreach (var request in batch)
            {
                switch (request)
                {
                    case AppendRequest append:
                        await _statements.RunAsync(append.Rows, CancellationToken.None);
                        break;
                    case FrameRequest frame:
                        await _statements.RunAsync([frame.Row], CancellationToken.None);
                        break;
                    case TouchRequest touch:
                        touches[touch.Charger] = touches.TryGetValue(touch.Charger, out var seen) && seen > touch.At ? seen : touch.At;
                        break;
                }
            }

            foreach (var (charger, at) in touches)
            {
                await _statements[TouchCharger].Set("id", charger.Value).Set("at", _database.Instant(at)).RunAsync(CancellationToken.None);
            }

            await transaction.CommitAsync();
            Interlocked.Increment(ref _commits);
            _database.Committed();
            StoreMetrics.Committed(System.Diagnostics.Stopwatch.GetElapsedTime(started), batch.Count);
        }
        catch
        {
            StoreMetrics.CommitFailed();
            // The connection may be broken (server restart, network): start the next batch on a fresh one.
            await CloseConnectionAsync();
            throw;
        }
    }

    private async Task CloseConnectionAsync()
    {
        if (_statements is not null)
        {
            await _statements.DisposeAsync();
            _statements = null;
        }

        if (_connection is not null)
        {
            await _connection.DisposeAsync();
            _connection = null;
        }
    }

    private void Complete(IReadOnlyList<Request> requests, Exception? error)
    {
        if (error is null)
        {
            // Committed: wake the outbox's readers (webhooks, live streams) before the sources hear back.
            List<(Core.Sites.SiteId, long)>? heads = null;
            foreach (var request in requests)
            {
                if (request is AppendRequest { LastEventSeq: > 0 } append)
                {
                    (heads ??= []).Add((append.Site, append.LastEventSeq));
                }
            }

            if (heads is not null)
            {
                _outbox.Committed(heads);
            }
        }

        foreach (var request in requests)
        {
            switch (request)
            {
                case AppendRequest append when error is null:
                    append.Done.TrySetResult();
                    break;
                case AppendRequest append when _database.IsUniqueViolation(error):
                    append.Done.TrySetException(new LogConflictException(append.Site, error));
                    break;
                case AppendRequest append:
                    append.Done.TrySetException(error);
                    break;
                case FlushRequest flush:
                    flush.Done.TrySetResult();
                    break;
            }
        }
    }

    private abstract record Request;

    private sealed record AppendRequest(Core.Sites.SiteId Site, IReadOnlyList<Row> Rows, long LastEventSeq) : Request
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed record FrameRequest(Row Row) : Request;

    private sealed record TouchRequest(ChargerId Charger, DateTimeOffset At) : Request;

    private sealed record FlushRequest : Request
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "A group commit of {Count} writes failed; writing them one by one")]
    private static partial void LogBatchRetried(ILogger logger, int count, Exception exception);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Error, Message = "Writing {Count} entries to the store failed")]
    private static partial void LogBatchFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "The store's writer fell behind: {Count} message-log frames were dropped ({Total} since start); every observation is still kept")]
    private static partial void LogFramesDropped(ILogger logger, long count, long total);
}
