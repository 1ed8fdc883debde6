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
public sealed partial class LogWriter : IAsyncDisposable
{
    private const int MaxBatch = 512;

    /// <summary>
    /// A batch of message-log frames alone waits this long for an append to share its commit: at low
    /// load a frame and the observation it carried would otherwise cost two fsyncs.
    /// </summary>
    private static readonly TimeSpan FrameLinger = TimeSpan.FromMilliseconds(20);

    private const string InsertFrame = """
        INSERT INTO message_log (charger_id, connection_id, direction, at, message_type, message_id, action, error_code, frame)
        VALUES (@charger, @connection, @direction, @at, @message_type, @message_id, @action, @error_code, @frame)
        """;

    private const string TouchCharger = """
        UPDATE chargers SET last_seen_at = @at WHERE id = @id AND (last_seen_at IS NULL OR last_seen_at < @at)
        """;

    private readonly Channel<Request> _queue = Channel.CreateUnbounded<Request>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Database _database;
    private readonly Outbox _outbox;
    private readonly ILogger _logger;
    private readonly Task _loop;
    private DbConnection? _connection;
    private Statements? _statements;

    public LogWriter(Database database, Outbox outbox, ILogger<LogWriter> logger)
    {
        _database = database;
        _outbox = outbox;
        _logger = logger;
        _loop = Task.Run(RunAsync);
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
        ObjectDisposedException.ThrowIf(!_queue.Writer.TryWrite(request), this);
        await request.Done.Task;
    }

    /// <summary>Keeps a frame in the message log. Not awaited: it rides along with the next commit.</summary>
    public void Record(MessageLogEntry f) => _queue.Writer.TryWrite(new FrameRequest(new Row(InsertFrame,
    [
        ("charger", f.Charger.Value), ("connection", f.ConnectionId), ("direction", f.Direction == MessageDirection.In ? "in" : "out"),
        ("at", _database.Instant(f.At)), ("message_type", f.MessageType), ("message_id", f.MessageId), ("action", f.Action),
        ("error_code", f.ErrorCode), ("frame", f.Frame),
    ])));

    /// <summary>Notes that a charger was heard from (any frame), for its last-seen time.</summary>
    public void Touch(ChargerId charger, DateTimeOffset at) => _queue.Writer.TryWrite(new TouchRequest(charger, at));

    /// <summary>Completes when everything queued before it is committed.</summary>
    public Task FlushAsync()
    {
        var request = new FlushRequest();
        return _queue.Writer.TryWrite(request) ? request.Done.Task : Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
        await CloseConnectionAsync();
    }

    private async Task RunAsync()
    {
        var batch = new List<Request>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            Drain(batch);
            if (batch.TrueForAll(r => r is FrameRequest or TouchRequest))
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
        }
        catch
        {
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "A group commit of {Count} writes failed; writing them one by one")]
    private static partial void LogBatchRetried(ILogger logger, int count, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Writing {Count} entries to the store failed")]
    private static partial void LogBatchFailed(ILogger logger, int count, Exception exception);
}
