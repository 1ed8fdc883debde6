using ParkCharge.Storage.Webhooks;

namespace ParkCharge.Server.Apis;

// Webhook replays and the delivery log as the API shows them. The store returns its own records (ParkCharge.Storage); these are the API's answers, mapped from them.

/// <summary>A requested re-delivery of a range of a site's events.</summary>
public sealed record WebhookReplay(
    long Id,
    string Site,
    long FromSequence,
    long ToSequence,
    long NextSequence,
    DateTimeOffset RequestedAt,
    string RequestedBy,
    DateTimeOffset? CompletedAt)
{
    /// <summary>The API's view of what the store read.</summary>
    internal static WebhookReplay From(WebhookReplayRecord r) => new(
        r.Id,
        r.Site,
        r.FromSequence,
        r.ToSequence,
        r.NextSequence,
        r.RequestedAt,
        r.RequestedBy,
        r.CompletedAt);
}

/// <summary>One attempt to deliver an event, as the delivery log keeps it.</summary>
/// <param name="Kind"><c>live</c> or <c>replay</c>.</param>
/// <param name="Outcome"><c>Delivered</c> (2xx), <c>Failed</c> (to be retried) or <c>Dead</c> (the last attempt failed: the subscription is dead-lettered).</param>
/// <param name="StatusCode">The receiver's HTTP status; null when no answer came (refused, timed out).</param>
public sealed record WebhookDelivery(
    long Id,
    string Site,
    long Sequence,
    string EventId,
    string EventType,
    string Kind,
    int Attempt,
    DateTimeOffset At,
    int? StatusCode,
    long DurationMs,
    string Outcome,
    string? Error)
{
    /// <summary>The API's view of what the store read.</summary>
    internal static WebhookDelivery From(WebhookDeliveryRecord r) => new(
        r.Id,
        r.Site,
        r.Sequence,
        r.EventId,
        r.EventType,
        r.Kind,
        r.Attempt,
        r.At,
        r.StatusCode,
        r.DurationMs,
        r.Outcome,
        r.Error);
}
