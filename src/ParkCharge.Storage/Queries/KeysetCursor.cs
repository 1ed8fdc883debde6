using System.Data.Common;
using System.Globalization;
using System.Text;

namespace ParkCharge.Storage.Queries;

/// <summary>
/// The opaque paging cursor of lists sorted newest first by (time, id): the last row's sort key.
/// Keyset paging gives no gaps and no repeats while new rows arrive.
/// </summary>
internal static class KeysetCursor
{
    public static string Format(DateTimeOffset at, string id) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{at.UtcTicks.ToString(CultureInfo.InvariantCulture)}|{id}"));

    /// <exception cref="ArgumentException">The cursor is not one this API returned.</exception>
    public static bool TryParse(string? cursor, out (DateTimeOffset At, string Id) value)
    {
        value = default;
        if (string.IsNullOrEmpty(cursor))
        {
            return false;
        }

        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(cursor));
            var bar = text.IndexOf('|', StringComparison.Ordinal);
            if (bar < 0)
            {
                throw new FormatException("No separator.");
            }

            value = (new DateTimeOffset(long.Parse(text.AsSpan(0, bar), CultureInfo.InvariantCulture), TimeSpan.Zero), text[(bar + 1)..]);
            return true;
        }
        catch (Exception e) when (e is FormatException or ArgumentOutOfRangeException or OverflowException)
        {
            throw new ArgumentException("The cursor is not one this API returned.", nameof(cursor), e);
        }
    }

    /// <summary>
    /// Finishes a newest-first list query: appends the cursor's condition, the order by
    /// (<paramref name="columns"/>: time, then id) descending and the limit to
    /// <paramref name="sql"/>, runs it, and returns the page with the cursor of its last row.
    /// </summary>
    /// <exception cref="ArgumentException">The cursor is not one this API returned.</exception>
    public static async Task<ResultPage<T>> PageAsync<T>(
        Database database,
        DbCommand command,
        StringBuilder sql,
        string? cursor,
        int limit,
        (string Time, string Id) columns,
        Func<DbDataReader, T> read,
        Func<T, (DateTimeOffset At, string Id)> keyOf,
        CancellationToken ct)
    {
        if (TryParse(cursor, out var after))
        {
            sql.Append(CultureInfo.InvariantCulture, $" AND ({columns.Time} < @after_at OR ({columns.Time} = @after_at AND {columns.Id} < @after_id))");
            command.With("after_at", database.Instant(after.At)).With("after_id", after.Id);
        }

        sql.Append(CultureInfo.InvariantCulture, $" ORDER BY {columns.Time} DESC, {columns.Id} DESC LIMIT @limit");
        command.With("limit", limit + 1);
        command.CommandText = sql.ToString();
        var items = new List<T>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                items.Add(read(reader));
            }
        }

        string? next = null;
        if (items.Count > limit)
        {
            items.RemoveAt(limit);
            var (at, id) = keyOf(items[^1]);
            next = Format(at, id);
        }

        return new ResultPage<T>(items, next);
    }
}
