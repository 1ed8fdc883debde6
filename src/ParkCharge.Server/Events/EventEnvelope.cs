using System.Text.Json;

using ParkCharge.Storage.Events;

namespace ParkCharge.Server.Events;

/// <summary>
/// A published event: the documented, versioned envelope webhooks deliver, the stream sends and
/// <c>GET /api/v1/events</c> lists (its schema per type: <see cref="EventCatalogue.Schema"/>).
/// </summary>
/// <param name="Id">Stable across deliveries and replays: consumers de-duplicate on it.</param>
/// <param name="Sequence">The event's number in its site's sequence (1, 2, 3, ...).</param>
/// <param name="EventTime">When it happened, by the clock of its source.</param>
/// <param name="RecordedAt">When ParkCharge recorded it (the publish time).</param>
public sealed record EventEnvelope(
    string Id,
    string Type,
    int Version,
    string Site,
    long Sequence,
    DateTimeOffset EventTime,
    DateTimeOffset RecordedAt,
    JsonElement Data)
{
    public static EventEnvelope Of(OutboxEvent e)
    {
        using var data = JsonDocument.Parse(e.Data);
        return new(e.Id, e.Type, EventCatalogue.Find(e.Type)?.Version ?? EventCatalogue.Version, e.Site, e.Seq, e.EventTime, e.RecordedAt, data.RootElement.Clone());
    }
}
