using ParkCharge.Core.Engine;
using ParkCharge.Core.Parking;
using ParkCharge.Core.Sites;
using ParkCharge.Simulator.Scenarios.BusyDay;

namespace ParkCharge.Simulator.Tests.Scenarios;

/// <summary>
/// Inferred stays on a generated busy day (issue 22 part 3), checked against the generator's ground truth: a gate camera
/// goes silent at noon and another's clock drifts three minutes; the camera events fire, the stays whose gate read was
/// missed are inferred and marked, every inference rests on reads of the same vehicle (never a look-alike), and an
/// inferred time only ever shortens a stay (the bill can be too low, never too high).
/// </summary>
public sealed class InferredStayDayTests
{
    private static DateTimeOffset Local(int hour, int minute = 0) => CameraFaultDay.Local(hour, minute);

    private static CameraFaultDay Play(int seed, string silenced, string drifting, InferredStaySettings? settings = null) =>
        CameraFaultDay.Play(seed, silenced, drifting, settings ?? new InferredStaySettings());

    /// <summary>The vehicle a sighting's reads are of (the generator's truth), or null when they disagree or are unknown.</summary>
    private static string? VehicleOf(SimulatedDay day, Sighting? sighting)
    {
        var vehicles = sighting?.Reads.Select(r => day.VehicleOfRead.GetValueOrDefault(r.ObservationKey)).Distinct().ToList();
        return vehicles is [{ } one] ? one : null;
    }

    [Theory]
    [InlineData(11)]
    [InlineData(5430129)]
    public void An_entry_camera_silent_from_noon_gets_the_missed_entries_inferred_from_the_same_vehicles_reads_never_earlier_than_the_truth(int seed)
    {
        const string silenced = "gate-north-in";
        var played = Play(seed, silenced, drifting: "gate-south-out");
        var (day, state, events) = (played.Day, played.State, played.Events);

        Assert.Single(events.OfType<CameraSilent>(), e => e.Camera == silenced);
        Assert.Single(events.OfType<CameraClockSkewed>(), e => e.Camera == "gate-south-out");

        // The vehicles whose entry read was dropped, and when the camera would have read them.
        var missedEntry = played.Dropped.GroupBy(m => day.VehicleOfRead[m.Observation.Key])
            .ToDictionary(g => g.Key, g => g.Min(m => m.Observation.EventTime), StringComparer.Ordinal);
        Assert.True(missedEntry.Count >= 20, $"only {missedEntry.Count} entries missed");

        var inferred = state.Parking.Sessions.Where(s => s.Anomalies.HasFlag(ParkingAnomalies.EntryInferred)).ToList();
        Assert.True(inferred.Count >= missedEntry.Count / 4, $"{inferred.Count} of {missedEntry.Count} missed entries inferred");
        var entries = events.OfType<ParkingSessionInferred>().Where(e => e.End == "entry").ToList();
        foreach (var stay in inferred)
        {
            // Marked and published, with the plate exactly; the vehicle that left is the one read at the bays.
            var published = entries.Last(e => e.Session.SessionId == stay.Id);
            Assert.Equal(stay.EnteredAt, published.At);
            var leaving = VehicleOf(day, state.Parking.FindSighting(stay.ExitSightingId!));
            Assert.NotNull(leaving);
            foreach (var visit in published.Evidence.Select(state.Parking.FindVisit).OfType<BayVisit>())
            {
                Assert.Equal(stay.Plate, visit.Plate);
                Assert.Equal(leaving, VehicleOf(day, state.Parking.FindSighting(visit.SightingId)));
            }

            // Never earlier than the car really came in (the generator's truth; bay camera clocks are at most 30 s off), so the
            // bill is never too high; the silent camera's cars among them too.
            var truth = day.Visits.Single(v => v.Vehicle == leaving && v.Entered <= stay.ExitedAt && v.Exited >= stay.ExitedAt!.Value.AddMinutes(-4));
            Assert.True(stay.EnteredAt >= truth.Entered - TimeSpan.FromSeconds(30), $"{stay.Plate}: inferred {stay.EnteredAt:O}, came in {truth.Entered:O}");
            if (missedEntry.TryGetValue(leaving!, out var cameIn))
            {
                Assert.True(stay.EnteredAt >= cameIn - TimeSpan.FromSeconds(30), $"{stay.Plate}: inferred {stay.EnteredAt:O}, came in {cameIn:O}");
            }
        }

        // A missed entry without exact evidence stays an exit without entry (no time made up for it).
        Assert.Contains(state.Parking.Sessions, s => s.Anomalies.HasFlag(ParkingAnomalies.ExitWithoutEntry) && s.EnteredAt is null);
        Assert.All(state.Parking.Sessions.Where(s => s.EnteredAt is null), s => Assert.False(s.Anomalies.HasFlag(ParkingAnomalies.EntryInferred)));

        // Nothing was inferred in the first day, when every camera worked (the generator's own missed entries aside, which
        // are inferred the same way): the noon silence brought most of them.
        Assert.True(inferred.Count(s => s.ExitedAt >= Local(12)) > inferred.Count / 2);
    }

    [Theory]
    [InlineData(11)]
    [InlineData(4242)]
    public void An_exit_camera_silent_from_noon_closes_stays_only_of_vehicles_that_had_left_and_never_after_they_left(int seed)
    {
        const string silenced = "gate-south-out";
        var played = Play(seed, silenced, drifting: "gate-north-in", new InferredStaySettings { OpenLimit = TimeSpan.FromHours(4) });
        var (day, state, events) = (played.Day, played.State, played.Events);
        Assert.Single(events.OfType<CameraSilent>(), e => e.Camera == silenced);

        var closed = state.Parking.Sessions.Where(s => s.ClosedBy == ParkingSessionClosure.Inferred).ToList();
        Assert.True(closed.Count >= 5, $"only {closed.Count} stays closed by inference");
        foreach (var stay in closed)
        {
            Assert.True(stay.Anomalies.HasFlag(ParkingAnomalies.ExitInferred));
            var vehicle = VehicleOf(day, state.Parking.FindSighting(stay.EntrySightingId!));
            Assert.NotNull(vehicle);

            // The vehicle had left (the generator's truth: gate to gate), and the inferred exit is no later than it left
            // (the entry camera runs up to three minutes behind: its stays look that much longer).
            var visit = day.Visits.Last(v => v.Vehicle == vehicle && v.Entered <= stay.EnteredAt!.Value.AddMinutes(4));
            Assert.True(visit.Exited is not null, $"{stay.Plate} closed at {stay.ExitedAt:O} but it is still inside");
            Assert.True(stay.ExitedAt <= visit.Exited + TimeSpan.FromSeconds(30), $"{stay.Plate}: inferred exit {stay.ExitedAt:O}, left {visit.Exited:O}");
        }

        // Among the vehicles the silent camera missed leaving, those last seen at a bay got their exit inferred.
        Assert.True(closed.Count(s => s.ExitedAt >= Local(11, 30) && s.ExitedAt < Local(15)) >= 5);
    }

    [Fact]
    public void Playing_the_day_again_decides_the_same_inferences()
    {
        var first = Play(4242, "gate-north-in", "gate-south-out");
        var second = BindingAccuracy.Play(first.Day);

        Assert.Equal(first.Events.Count, second.Events.Count);
        Assert.Equal(first.Events.OfType<ParkingSessionInferred>().Select(e => e.ToString()), second.Events.OfType<ParkingSessionInferred>().Select(e => e.ToString()));
        Assert.Equal(first.Events.OfType<BillSettled>().Select(e => (e.ParkingSessionId, e.Bill.Total)), second.Events.OfType<BillSettled>().Select(e => (e.ParkingSessionId, e.Bill.Total)));
    }
}
