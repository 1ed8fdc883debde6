using System.Data.Common;
using System.Text.RegularExpressions;

namespace ParkCharge.Storage;

/// <summary>
/// A command prepared once per writer connection and run many times with new values: the write
/// path runs the same few INSERTs for every row of every group commit. Parameters are taken from
/// the SQL text (<c>@name</c>); a name starting with <c>json_</c> is a JSON document.
/// </summary>
internal sealed partial class Statement : IAsyncDisposable
{
    private readonly DbCommand _command;
    private readonly Database _database;
    private readonly Dictionary<string, DbParameter> _parameters = new(StringComparer.Ordinal);

    public Statement(Database database, DbConnection connection, string sql)
    {
        _database = database;
        _command = connection.Command(sql);
        foreach (var name in ParameterName().Matches(sql).Select(m => m.Groups[1].Value).Distinct())
        {
            var bound = database.ParameterName(name);
            if (name.StartsWith("json_", StringComparison.Ordinal))
            {
                database.AddJson(_command, bound, "null");
            }
            else
            {
                _command.With(bound, null);
            }

            _parameters[name] = _command.Parameters[bound];
        }
    }

    public DbTransaction? Transaction
    {
        set => _command.Transaction = value;
    }

    public Statement Set(string name, object? value)
    {
        _parameters[name].Value = _database.Storable(name, value) ?? DBNull.Value;
        return this;
    }

    public Task<int> RunAsync(CancellationToken ct) => _command.ExecuteNonQueryAsync(ct);

    public ValueTask DisposeAsync() => _command.DisposeAsync();

    [GeneratedRegex(@"@([A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex ParameterName();
}

/// <summary>
/// The writer connection's statements, created on first use and kept while the connection lives. On SQLite, rows are run
/// by <see cref="Sqlite.SqliteRawStatement"/> (bound by ordinal, stepped directly) when it can take them.
/// </summary>
internal sealed class Statements(Database database, DbConnection connection) : IAsyncDisposable
{
    private readonly Dictionary<string, Statement> _statements = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Sqlite.SqliteRawStatement?> _raw = new(StringComparer.Ordinal);
    private DbTransaction? _transaction;

    public Statement this[string sql]
    {
        get
        {
            if (!_statements.TryGetValue(sql, out var statement))
            {
                _statements[sql] = statement = new Statement(database, connection, sql);
            }

            statement.Transaction = _transaction;
            return statement;
        }
    }

    /// <summary>The transaction the statements run in from now on.</summary>
    public void Use(DbTransaction transaction) => _transaction = transaction;

    /// <summary>Runs recorded rows in order.</summary>
    public async Task RunAsync(IReadOnlyList<Row> rows, CancellationToken ct)
    {
        foreach (var row in rows)
        {
            if (connection is Microsoft.Data.Sqlite.SqliteConnection sqlite && Raw(sqlite, row.Sql) is { } raw && raw.TryRun(row, database))
            {
                continue;
            }

            var statement = this[row.Sql];
            foreach (var (name, value) in row.Values)
            {
                statement.Set(name, value);
            }

            await statement.RunAsync(ct);
        }
    }

    private Sqlite.SqliteRawStatement? Raw(Microsoft.Data.Sqlite.SqliteConnection sqlite, string sql)
    {
        if (!_raw.TryGetValue(sql, out var statement))
        {
            _raw[sql] = statement = Sqlite.SqliteRawStatement.Prepare(sqlite, sql);
        }

        return statement;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var statement in _raw.Values)
        {
            statement?.Dispose();
        }

        _raw.Clear();
        foreach (var statement in _statements.Values)
        {
            await statement.DisposeAsync();
        }

        _statements.Clear();
    }
}

/// <summary>One statement execution, with its parameter values ready (converted for the engine, JSON serialised).</summary>
internal sealed record Row(string Sql, (string Name, object? Value)[] Values);

/// <summary>
/// Records the rows an append writes, on the caller's thread: serialising and converting values
/// is done there, in parallel across sites, so that the single writer only executes SQL.
/// </summary>
internal sealed class RowRecorder(Database database)
{
    public Database Database { get; } = database;

    public List<Row> Rows { get; } = [];

    public RowDraft this[string sql] => new(this, sql);
}

/// <summary>A row being recorded: <see cref="Set"/> its values, then <see cref="RunAsync"/> adds it.</summary>
internal sealed class RowDraft(RowRecorder recorder, string sql)
{
    private readonly List<(string, object?)> _values = new(24);

    public RowDraft Set(string name, object? value)
    {
        _values.Add((name, value));
        return this;
    }

    /// <summary>Adds the row to the recorder (named like the statement's run, so projection code reads the same).</summary>
    public Task RunAsync(CancellationToken ct)
    {
        recorder.Rows.Add(new Row(sql, [.. _values]));
        return Task.CompletedTask;
    }
}
