using ParkCharge.Simulator.Planning;
using ParkCharge.Simulator.Scenarios.Files;

namespace ParkCharge.Simulator.Tests.Sandbox;

/// <summary>Plans: deterministic from the seed, and true to the scenario's site and traffic.</summary>
public sealed class PlanGeneratorTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 7, 0, 0, TimeSpan.Zero); // 08:00 in Berlin

    [Fact]
    public void The_same_seed_gives_the_same_plan_and_another_seed_another()
    {
        var scenario = Read();

        var one = PlanGenerator.Generate(scenario, Start).Describe();
        var again = PlanGenerator.Generate(scenario, Start).Describe();
        var other = PlanGenerator.Generate(scenario with { Seed = scenario.Seed + 1 }, Start).Describe();

        Assert.Equal(one, again);
        Assert.NotEqual(one, other);
        Assert.Contains("visit 1 ", one, StringComparison.Ordinal);
    }

    [Fact]
    public void Vehicles_arrive_only_while_the_rate_is_above_zero_and_stay_as_long_as_the_scenario_says()
    {
        var scenario = Read();

        var plan = PlanGenerator.Generate(scenario, Start);

        // Arrivals 08:00-12:00 local at 12 an hour: about 48.
        Assert.InRange(plan.Visits.Count, 25, 75);
        Assert.All(plan.Visits, v => Assert.InRange(v.Arrival, Start, Start.AddHours(4)));
        Assert.All(plan.Visits.Where(v => v.Charge is null), v => Assert.InRange(v.Departure - v.Arrival, TimeSpan.FromMinutes(21), TimeSpan.FromMinutes(94)));
        Assert.Equal(plan.Visits.Count, plan.Visits.Select(v => v.Plate).Distinct().Count());
    }

    [Fact]
    public void No_two_vehicles_charge_at_one_bay_at_once_and_no_vehicle_plugs_into_a_faulted_connector()
    {
        var scenario = Read() with { EvShare = 1 };

        var plan = PlanGenerator.Generate(scenario, Start);

        var charges = plan.Visits.Select(v => v.Charge).OfType<PlannedCharge>().ToList();
        Assert.NotEmpty(charges);
        Assert.Contains(plan.Visits, v => v.IsEv && v.Charge is null); // three bays for a dozen EVs an hour: some find none free
        foreach (var bay in charges.GroupBy(c => c.Bay.Id))
        {
            var ordered = bay.OrderBy(c => c.PlugIn).ToList();
            for (var i = 1; i < ordered.Count; i++)
            {
                Assert.True(ordered[i].PlugIn > ordered[i - 1].Unplug, $"{bay.Key}: two vehicles at once");
            }
        }

        foreach (var fault in plan.Faults)
        {
            Assert.DoesNotContain(charges, c => c.Bay.Id == fault.Bay.Id && c.PlugIn < fault.Until && c.Unplug > fault.From);
        }

        Assert.All(charges, c => Assert.True(c.PlugIn > c.BayRead!.At, "the bay camera sees the car before it plugs in"));
    }

    [Fact]
    public void Noise_shows_in_the_reads_look_alike_characters_bursts_and_a_fixed_skew_per_camera()
    {
        var scenario = Read() with { Noise = new Noise { OcrErrorRate = 0.5, RepeatedReads = 1, ClockSkew = TimeSpan.FromSeconds(30) } };

        var plan = PlanGenerator.Generate(scenario, Start);

        var passes = plan.Visits.SelectMany(v => new[] { v.Entry, v.Exit }).ToList();
        Assert.All(passes, p => Assert.InRange(p.Reads.Count, 2, 4));
        var reads = plan.Visits.SelectMany(v => v.Entry.Reads.Select(r => (v.Plate, r.Text))).ToList();
        Assert.Contains(reads, r => r.Text != r.Plate);
        Assert.All(reads, r => Assert.Equal(r.Plate.Length, r.Text.Length));
        var skews = passes.GroupBy(p => p.Camera.Id).Select(g => g.Select(p => p.Reads[0].CapturedAt - p.At).Distinct().Single()).ToList();
        Assert.All(skews, s => Assert.InRange(s, TimeSpan.FromSeconds(-30), TimeSpan.FromSeconds(30)));

        var missed = PlanGenerator.Generate(scenario with { Noise = new Noise { MissedReads = 1 } }, Start);
        Assert.All(missed.Visits, v => Assert.Empty(v.Entry.Reads));
    }

    private static Scenario Read()
    {
        using var files = new ScenarioFiles();
        var read = ScenarioFile.Load(files.Path, _ => null);
        Assert.True(read.IsValid, string.Join("\n", read.Problems));
        return read.Scenario!;
    }
}
