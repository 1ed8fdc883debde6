using Microsoft.Data.Sqlite;

using SQLitePCL;

namespace ParkCharge.Storage.Sqlite;

/// <summary>
/// One statement of the SQLite writer, prepared once per connection and run many times: values bound by ordinal and
/// stepped directly, without <see cref="SqliteCommand"/>'s per-execution work (a data reader per execution, each
/// parameter looked up by name in the statement, its type dispatched, the handles reference-counted). The writer thread
/// is the store's ceiling (bench/README.md, "Third step"); this is what it does per row.
/// </summary>
/// <remarks>
/// It binds only what it binds exactly as <see cref="SqliteCommand"/> would (text, integers, booleans as 0/1, reals, non-empty blobs,
/// null); a row with any other value, or that does not give every parameter of the statement, is not taken
/// (<see cref="TryRun"/> returns false before binding anything) and goes the ADO.NET way. Errors are thrown as the
/// <see cref="SqliteException"/> <see cref="SqliteCommand"/> throws, with the same codes (a unique violation stays one).
/// </remarks>
internal sealed class SqliteRawStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private readonly int _parameters;
    private readonly Dictionary<string, int> _ordinals = new(StringComparer.Ordinal);

    /// <summary>The names of the last row bound, and their ordinals: rows of one statement give their values in one order.</summary>
    private string[] _lastNames = [];
    private int[] _lastOrdinals = [];

    private SqliteRawStatement(sqlite3 db, sqlite3_stmt statement)
    {
        _db = db;
        _statement = statement;
        _parameters = raw.sqlite3_bind_parameter_count(statement);
    }

    /// <summary>The statement prepared on the connection, or null when <paramref name="sql"/> is not one statement.</summary>
    public static SqliteRawStatement? Prepare(SqliteConnection connection, string sql)
    {
        var db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        var rc = raw.sqlite3_prepare_v3(db, sql, raw.SQLITE_PREPARE_PERSISTENT, out var statement, out var tail);
        if (rc != raw.SQLITE_OK)
        {
            statement?.Dispose();
            SqliteException.ThrowExceptionForRC(rc, db);
        }

        if (!string.IsNullOrWhiteSpace(tail) || statement is null || statement.IsInvalid)
        {
            statement?.Dispose();
            return null;
        }

        return new SqliteRawStatement(db, statement);
    }

    /// <summary>Binds the values (converted already, <see cref="Database.Storable"/>) and runs the statement; false when this row is not for this path.</summary>
    public bool TryRun(Row row, Database database)
    {
        var values = row.Values;
        if (values.Length != _parameters || !Bindable(values, database))
        {
            return false;
        }

        if (!ReferenceEquals(_lastNames, values) && !SameNames(values))
        {
            _lastNames = new string[values.Length];
            _lastOrdinals = new int[values.Length];
            for (var i = 0; i < values.Length; i++)
            {
                var name = values[i].Name;
                if (!_ordinals.TryGetValue(name, out var ordinal))
                {
                    _ordinals[name] = ordinal = raw.sqlite3_bind_parameter_index(_statement, "@" + name);
                }

                if (ordinal <= 0)
                {
                    _lastNames = [];
                    return false; // not a parameter of the statement: let ADO.NET say so
                }

                _lastNames[i] = name;
                _lastOrdinals[i] = ordinal;
            }
        }

        try
        {
            for (var i = 0; i < values.Length; i++)
            {
                Check(Bind(_lastOrdinals[i], database.Storable(values[i].Name, values[i].Value)));
            }

            int rc;
            while ((rc = raw.sqlite3_step(_statement)) == raw.SQLITE_ROW)
            {
                // a RETURNING clause: the writer does not read it
            }

            if (rc != raw.SQLITE_DONE)
            {
                SqliteException.ThrowExceptionForRC(rc, _db);
            }
        }
        finally
        {
            raw.sqlite3_reset(_statement);
        }

        return true;
    }

    public void Dispose() => _statement.Dispose();

    private bool SameNames(ReadOnlySpan<(string Name, object? Value)> values)
    {
        if (_lastNames.Length != values.Length)
        {
            return false;
        }

        for (var i = 0; i < values.Length; i++)
        {
            if (!ReferenceEquals(_lastNames[i], values[i].Name) && _lastNames[i] != values[i].Name)
            {
                return false;
            }
        }

        return true;
    }

    private static bool Bindable((string Name, object? Value)[] values, Database database)
    {
        foreach (var (name, value) in values)
        {
            if (database.Storable(name, value) is not (null or DBNull or string or long or int or bool or double or byte[] { Length: > 0 }))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>As <see cref="SqliteCommand"/> binds them (Microsoft.Data.Sqlite's value binder): bool as 0/1, every integer as 64 bits.</summary>
    private int Bind(int ordinal, object? value) => value switch
    {
        null or DBNull => raw.sqlite3_bind_null(_statement, ordinal),
        string text => raw.sqlite3_bind_text(_statement, ordinal, text),
        long number => raw.sqlite3_bind_int64(_statement, ordinal, number),
        int number => raw.sqlite3_bind_int64(_statement, ordinal, number),
        bool flag => raw.sqlite3_bind_int64(_statement, ordinal, flag ? 1 : 0),
        double real when !double.IsNaN(real) => raw.sqlite3_bind_double(_statement, ordinal, real),
        double => throw new InvalidOperationException("Cannot store NaN."),
        byte[] blob => raw.sqlite3_bind_blob(_statement, ordinal, blob),
        _ => throw new InvalidOperationException($"Cannot bind {value.GetType()}: not checked by Bindable."),
    };

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }
    }
}
