using ParkCharge.Core.Charging;
using ParkCharge.Core.Engine;
using ParkCharge.Core.Observations;
using ParkCharge.Core.Sites;
using ParkCharge.Storage.Log;

namespace ParkCharge.Storage.Tests;

/// <summary>Decides observations with the real engine and turns them into appends, as the server does.</summary>
internal sealed class SiteWriter(SiteId site)
{
    private int _keys;

    public SiteState State { get; } = new(site);

    public DateTimeOffset Now { get; set; } = new(2026, 5, 4, 9, 30, 0, TimeSpan.Zero);

    public SiteAppend Decide(params ObservationPayload[] payloads) =>
        new(State.Site, [.. payloads.Select(p => DecideOne(p))]);

    public LoggedObservation DecideOne(ObservationPayload payload, DateTimeOffset? eventTime = null, string? key = null)
    {
        var observation = new Observation
        {
            Site = State.Site,
            Source = "test",
            Key = key ?? $"k{++_keys}",
            EventTime = eventTime ?? Now,
            ReceivedAt = Now,
            Payload = payload,
        };
        var decision = SiteEngine.Decide(State, observation);
        var applied = State.Apply(observation, decision);
        return new LoggedObservation(applied.Seq, observation, decision, applied.FirstEventSeq);
    }

    public static ChargerId Cp(string id) => new(id);
}
