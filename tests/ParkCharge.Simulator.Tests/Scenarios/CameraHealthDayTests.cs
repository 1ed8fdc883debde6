using ParkCharge.Core.Engine;
using ParkCharge.Core.Parking;
using ParkCharge.Simulator.Scenarios.BusyDay;

namespace ParkCharge.Simulator.Tests.Scenarios;

/// <summary>
/// Camera health on a generated busy day (issue 22): one gate camera goes silent at noon, another's clock drifts three
/// minutes behind; the alarms fire on the right cameras, end when the cameras are mended, and nothing else rings,
/// neither in the quiet night nor at the cameras that work.
/// </summary>
public sealed class CameraHealthDayTests
{
    private static DateTimeOffset Local(int hour, int minute = 0) => CameraFaultDay.Local(hour, minute);

    private const string Silenced = "gate-north-in";
    private const string Drifting = "gate-south-out";

    private static (SimulatedDay Day, IReadOnlyList<DomainEvent> Events) Play(int seed)
    {
        var played = CameraFaultDay.Play(seed, Silenced, Drifting);
        return (played.Day, played.Events);
    }

    [Theory]
    [InlineData(11)]
    [InlineData(4242)]
    [InlineData(5430129)]
    public void A_day_with_a_gate_camera_silent_from_noon_and_another_three_minutes_behind_rings_those_alarms_and_no_other(int seed)
    {
        var (_, events) = Play(seed);

        // The silent camera: as soon as the other entry and the chargers saw so much traffic that a working camera with
        // its usual share would have read some of it (at this car park's midday traffic: within about two hours).
        var silent = Assert.Single(events.OfType<CameraSilent>(), e => e.Camera == Silenced);
        Assert.InRange(silent.EventTime, Local(12), Local(14));
        var recovered = Assert.Single(events.OfType<CameraRecovered>(), e => e.Camera == Silenced && e.Condition == CameraCondition.Silent);
        Assert.Equal(silent.EventTime, recovered.Since);
        Assert.InRange(recovered.EventTime, Local(15), Local(15, 30));

        // The drifting clock: three minutes behind (plus the few seconds its clock was off before), once four 5-minute
        // spans of its pushes said so; an exit in the morning pushes seldom, so that can take a while.
        var skewed = Assert.Single(events.OfType<CameraClockSkewed>());
        Assert.Equal(Drifting, skewed.Camera);
        Assert.InRange(skewed.Offset, TimeSpan.FromSeconds(-180 - 35), TimeSpan.FromSeconds(-180 + 35));
        Assert.InRange(skewed.EventTime, Local(10), Local(13));
        var corrected = Assert.Single(events.OfType<CameraRecovered>(), e => e.Condition == CameraCondition.ClockSkewed);
        Assert.Equal((Drifting, skewed.EventTime), (corrected.Camera, corrected.Since));
        Assert.InRange(corrected.EventTime, Local(14), Local(17));

        // No other camera rang, and nothing at all rang in the night.
        Assert.DoesNotContain(events.OfType<CameraSilent>(), e => e.Camera != Silenced);
        Assert.DoesNotContain(events.OfType<CameraDegraded>(), e => e.Camera.StartsWith("gate-", StringComparison.Ordinal));
        Assert.DoesNotContain(events.Where(e => e.Type.StartsWith("camera.", StringComparison.Ordinal)), e => e.EventTime.ToOffset(TimeSpan.FromHours(1)).Hour is < 6 or >= 23);
    }
}
