using ParkCharge.Core.Engine;
using ParkCharge.Core.Parking;
using ParkCharge.Core.Sites;
using ParkCharge.Simulator.Scenarios.BusyDay;

namespace ParkCharge.Simulator.Tests.Scenarios;

/// <summary>
/// A generated two-day busy day with two gate cameras failing on the second day, played through the engine: one sends
/// nothing from noon to 15:00 (its reads are dropped), another's clock is three minutes behind from 10:00 to 14:00. The
/// generator's own badly set camera clocks are off (only up to 30 s), opening hours 06:00 to 23:00; the first day teaches
/// each camera its usual rate.
/// </summary>
/// <param name="Day">The day as played (the site with its settings, the messages as the server got them).</param>
/// <param name="Dropped">The silent camera's reads that never arrived.</param>
/// <param name="Original">The day as generated, every read in it.</param>
internal sealed record CameraFaultDay(SimulatedDay Day, SiteState State, IReadOnlyList<DomainEvent> Events, IReadOnlyList<SimulatedMessage> Dropped, SimulatedDay Original)
{
    /// <summary>A moment of the second day, local (Europe/Berlin, UTC+1 in March).</summary>
    public static DateTimeOffset Local(int hour, int minute = 0) => new(2026, 3, 3, hour, minute, 0, TimeSpan.FromHours(1));

    /// <param name="inferredStays">The site's inferred-stay settings; null: a configuration from before they existed (off).</param>
    public static CameraFaultDay Play(int seed, string silenced, string drifting, InferredStaySettings? inferredStays = null)
    {
        var original = BusyDayGenerator.Generate(new BusyDayOptions
        {
            Seed = seed,
            Days = 2,
            EvBays = 20,
            Rates = new BusyDayRates { CameraSkewedMinutes = 0, CameraSkewedMore = 0 },
        });
        var site = original.Site with
        {
            CameraHealth = new CameraHealthSettings { OpeningHours = new OpeningHours(new TimeOnly(6, 0), new TimeOnly(23, 0)) },
            InferredStays = inferredStays,
        };
        var messages = new List<SimulatedMessage>();
        var dropped = new List<SimulatedMessage>();
        foreach (var message in original.Messages)
        {
            var o = message.Observation;
            switch (o.Payload)
            {
                case SiteConfigured:
                    messages.Add(message with { Observation = o with { Payload = new SiteConfigured(site) } });
                    break;
                case PlateRead read when read.Camera == silenced && o.ReceivedAt >= Local(12) && o.ReceivedAt < Local(15):
                    dropped.Add(message);
                    break;
                case PlateRead read when read.Camera == drifting && o.ReceivedAt >= Local(10) && o.ReceivedAt < Local(14):
                    messages.Add(message with { Observation = o with { EventTime = o.EventTime.AddMinutes(-3) } });
                    break;
                default:
                    messages.Add(message);
                    break;
            }
        }

        var day = original with { Site = site, Messages = messages };
        var (state, events) = BindingAccuracy.Play(day);
        return new CameraFaultDay(day, state, events, dropped, original);
    }
}
