using System.Text;

namespace ParkCharge.Storage.Queries;

/// <summary>A security event a charger reported (SecurityEventNotification), as the API shows it.</summary>
/// <param name="Id">The id of the <c>charger.security_event</c> event that published it (the same in webhooks and the event stream).</param>
/// <param name="Type">The type as the charger sent it (OCPP's security events list, or the vendor's own).</param>
/// <param name="OccurredAt">When it happened, by the charger's clock.</param>
/// <param name="TechInfo">The charger's technical detail, if any.</param>
/// <param name="ReceivedAt">When ParkCharge received it.</param>
public sealed record SecurityEventView(
    string Id,
    string SiteId,
    string ChargerId,
    string Type,
    DateTimeOffset OccurredAt,
    string? TechInfo,
    DateTimeOffset ReceivedAt);

/// <summary>Which security events to list; every filter is optional.</summary>
public sealed record SecurityEventFilter
{
    public string? SiteId { get; init; }

    public string? ChargerId { get; init; }

    public string? Type { get; init; }

    /// <summary>Received at or after.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Received before.</summary>
    public DateTimeOffset? To { get; init; }

    public int Limit { get; init; } = 50;

    public string? Cursor { get; init; }
}

/// <summary>Reads of the chargers' security events, newest first.</summary>
public sealed class SecurityEventQueries(Database database)
{
    /// <exception cref="ArgumentException">The cursor is not one this API returned.</exception>
    public async Task<Page<SecurityEventView>> ListAsync(SecurityEventFilter filter, CancellationToken ct)
    {
        var sql = new StringBuilder("SELECT id, site_id, charger_id, type, occurred_at, tech_info, received_at FROM charger_security_events WHERE 1 = 1");
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command("");
        foreach (var (column, value) in new[] { ("site_id", filter.SiteId), ("charger_id", filter.ChargerId), ("type", filter.Type) })
        {
            if (value is not null)
            {
                sql.Append(" AND ").Append(column).Append(" = @").Append(column);
                command.With(column, value);
            }
        }

        if (filter.From is { } from)
        {
            sql.Append(" AND received_at >= @from");
            command.With("from", database.Instant(from));
        }

        if (filter.To is { } to)
        {
            sql.Append(" AND received_at < @to");
            command.With("to", database.Instant(to));
        }

        return await KeysetCursor.PageAsync(
            database, command, sql, filter.Cursor, Math.Clamp(filter.Limit, 1, 500), ("received_at", "id"),
            reader => new SecurityEventView(
                reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                database.ReadInstant(reader, 4), reader.StringOrNull(5), database.ReadInstant(reader, 6)),
            e => (e.ReceivedAt, e.Id),
            ct);
    }
}
