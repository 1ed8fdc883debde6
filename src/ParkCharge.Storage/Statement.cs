using System.Data.Common;
using System.Text.RegularExpressions;

namespace ParkCharge.Storage;

/// <summary>
/// A command prepared once per transaction and run many times with new values: the write path runs
/// the same few INSERTs for every row of a group commit. Parameters are taken from the SQL text
/// (<c>@name</c>); a name starting with <c>json_</c> is a JSON document.
/// </summary>
internal sealed partial class Statement : IAsyncDisposable
{
    private readonly DbCommand _command;

    public Statement(Database database, DbConnection connection, DbTransaction transaction, string sql)
    {
        _command = connection.Command(sql, transaction);
        foreach (var name in ParameterName().Matches(sql).Select(m => m.Groups[1].Value).Distinct())
        {
            if (name.StartsWith("json_", StringComparison.Ordinal))
            {
                database.AddJson(_command, name, "null");
            }
            else
            {
                _command.With(name, null);
            }
        }
    }

    public Statement Set(string name, object? value)
    {
        _command.Parameters[name].Value = value ?? DBNull.Value;
        return this;
    }

    public Task<int> RunAsync(CancellationToken ct) => _command.ExecuteNonQueryAsync(ct);

    public ValueTask DisposeAsync() => _command.DisposeAsync();

    [GeneratedRegex(@"@([A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex ParameterName();
}

/// <summary>The statements of one transaction, created on first use.</summary>
internal sealed class Statements(Database database, DbConnection connection, DbTransaction transaction) : IAsyncDisposable
{
    private readonly Dictionary<string, Statement> _statements = new(StringComparer.Ordinal);

    public Database Database { get; } = database;

    public Statement this[string sql]
    {
        get
        {
            if (!_statements.TryGetValue(sql, out var statement))
            {
                _statements[sql] = statement = new Statement(Database, connection, transaction, sql);
            }

            return statement;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var statement in _statements.Values)
        {
            await statement.DisposeAsync();
        }
    }
}
