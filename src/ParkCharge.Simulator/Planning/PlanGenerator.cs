using System.Globalization;

using ParkCharge.Simulator.Scenarios.Files;
using ParkCharge.Simulator.Sites;

namespace ParkCharge.Simulator.Planning;

/// <summary>
/// Draws a <see cref="SimulationPlan"/> from a scenario: arrivals as a Poisson process whose rate
/// follows the local time of day, EVs to free EV bays (a vehicle that finds none parks in an
/// ordinary bay), camera noise per pass, charger outages and connector faults. One
/// <see cref="Random"/> seeded from the scenario, consumed in a fixed order: deterministic.
/// </summary>
public static class PlanGenerator
{
    private const string Letters = "ABCDEFGHJKLMNPRSTUVWXYZ";

    /// <summary>The look-alike groups an OCR engine confuses (as PlateSimilarity treats them cheaply).</summary>
    private static readonly string[] LookAlikeGroups = ["O0DQ", "I1LT", "B8", "S5", "Z2", "G6", "A4", "UV"];

    private static readonly string[] FaultCodes = ["GroundFailure", "OverCurrentFailure", "HighTemperature", "ConnectorLockFailure"];

    public static SimulationPlan Generate(Scenario scenario, DateTimeOffset start)
    {
        var random = new Random(scenario.Seed);
        var site = scenario.Site;
        var end = start + scenario.Duration;
        var noise = scenario.Noise;

        // Each camera's clock error is fixed for the run: drawn first, in the site's order.
        var skew = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        foreach (var camera in site.Lanes.SelectMany(l => l.Cameras).Concat(site.BayCameras.Select(b => b.Camera)))
        {
            skew[camera.Id] = TimeSpan.FromSeconds(Math.Round((random.NextDouble() * 2 - 1) * noise.ClockSkew.TotalSeconds));
        }

        var outages = new List<ChargerOutage>();
        foreach (var charger in site.Chargers)
        {
            if (random.NextDouble() < noise.ChargerOffline)
            {
                var from = start + scenario.Duration * (0.1 + 0.5 * random.NextDouble());
                outages.Add(new ChargerOutage(charger.Id, Round(from), Round(from + noise.OfflineDuration)));
            }
        }

        var faults = new List<ConnectorFault>();
        var busy = site.EvBays.ToDictionary(b => b.Id, _ => new List<(DateTimeOffset From, DateTimeOffset Until)>(), StringComparer.Ordinal);
        foreach (var bay in site.EvBays)
        {
            if (random.NextDouble() < noise.ConnectorFaults)
            {
                var from = Round(start + scenario.Duration * (0.1 + 0.6 * random.NextDouble()));
                var fault = new ConnectorFault(bay, from, Round(from + noise.FaultDuration), FaultCodes[random.Next(FaultCodes.Length)]);
                faults.Add(fault);
                busy[bay.Id].Add((fault.From - TimeSpan.FromMinutes(1), fault.Until + TimeSpan.FromMinutes(1)));
            }
        }

        var visits = new List<PlannedVisit>();
        var plates = new HashSet<string>(StringComparer.Ordinal);
        var maxRate = scenario.Arrivals.Max(a => a.PerHour);
        var entries = site.EntryCameras;
        var exits = site.ExitCameras;
        var at = start;
        while (maxRate > 0)
        {
            // Thinning (Lewis and Shedler): candidates at the highest rate, kept with rate(t) / max.
            at += TimeSpan.FromHours(-Math.Log(1 - random.NextDouble()) / maxRate);
            if (at >= end)
            {
                break;
            }

            if (random.NextDouble() * maxRate >= RateAt(scenario, site.Zone, at))
            {
                continue;
            }

            var arrival = Round(at);
            var plate = NewPlate(random, plates);
            var isEv = random.NextDouble() < scenario.EvShare;
            var dwell = Between(random, scenario.Dwell.Min, scenario.Dwell.Max);
            var entryPass = Pass(random, noise, entries[random.Next(entries.Count)], arrival, plate, skew, null);
            PlannedCharge? charge = null;
            var leaveParking = arrival + dwell;
            if (isEv)
            {
                var atBay = arrival + Between(random, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(180));
                var plugIn = atBay + Between(random, scenario.Charging.PlugInDelay.Min, scenario.Charging.PlugInDelay.Max);
                var unplug = Max(leaveParking, plugIn + TimeSpan.FromMinutes(10));
                var battery = scenario.Charging.BatteryKWh[random.Next(scenario.Charging.BatteryKWh.Count)];
                var soc = scenario.Charging.StartSoc.Min + random.NextDouble() * (scenario.Charging.StartSoc.Max - scenario.Charging.StartSoc.Min);
                var power = scenario.Charging.MaxPowerKW[random.Next(scenario.Charging.MaxPowerKW.Count)];
                var readDelay = Between(random, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(15));
                var free = site.EvBays
                    .Where(b => busy[b.Id].All(w => w.Until <= atBay || w.From >= unplug + TimeSpan.FromMinutes(2)))
                    .ToList();
                if (free.Count > 0)
                {
                    var bay = free[random.Next(free.Count)];
                    busy[bay.Id].Add((atBay, unplug + TimeSpan.FromMinutes(2)));
                    var watching = site.BayCameras.FirstOrDefault(c => c.Bays.Any(v => v.Bay == bay.Id));
                    var bayRead = watching is null ? null : Pass(random, noise, watching.Camera, atBay + readDelay, plate, skew, watching.Bays.First(v => v.Bay == bay.Id));
                    charge = new PlannedCharge(bay, bayRead, plugIn, unplug, battery, Math.Round(soc, 3), power, "TAG" + (visits.Count + 1).ToString("D5", CultureInfo.InvariantCulture));
                    leaveParking = unplug;
                }
            }

            var exitAt = leaveParking + Between(random, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(240));
            var exitPass = Pass(random, noise, exits[random.Next(exits.Count)], exitAt, plate, skew, null);
            visits.Add(new PlannedVisit(visits.Count + 1, plate, isEv, entryPass, charge, exitPass));
        }

        return new SimulationPlan(start, end, visits, outages, faults);
    }

    /// <summary>Vehicles per hour at an instant, by the local time of day (before the first entry, the day's last rate holds).</summary>
    public static double RateAt(Scenario scenario, TimeZoneInfo zone, DateTimeOffset at)
    {
        var local = TimeOnly.FromTimeSpan(TimeZoneInfo.ConvertTime(at, zone).TimeOfDay);
        var rate = scenario.Arrivals[^1].PerHour;
        foreach (var entry in scenario.Arrivals)
        {
            if (entry.From <= local)
            {
                rate = entry.PerHour;
            }
        }

        return rate;
    }

    private static CameraPass Pass(Random random, Noise noise, SiteCamera camera, DateTimeOffset at, string plate, Dictionary<string, TimeSpan> skew, BayView? view)
    {
        if (random.NextDouble() < noise.MissedReads)
        {
            return new CameraPass(camera, at, [], view);
        }

        var count = random.NextDouble() < noise.RepeatedReads ? random.Next(2, 5) : 1;
        var reads = new List<PlannedRead>();
        for (var i = 0; i < count; i++)
        {
            var misread = random.NextDouble() < noise.OcrErrorRate;
            var text = misread ? LookAlike(random, plate) : plate;
            var confidence = Math.Round(misread ? 0.72 + random.NextDouble() * 0.15 : 0.85 + random.NextDouble() * 0.14, 2);
            reads.Add(new PlannedRead(at + TimeSpan.FromSeconds(i) + skew[camera.Id], text, confidence));
        }

        return new CameraPass(camera, at, reads, view);
    }

    /// <summary>A plate like many European ones: two or three letters, then three or four digits (no I, O or Q, as many countries).</summary>
    private static string NewPlate(Random random, HashSet<string> taken)
    {
        while (true)
        {
            var letters = random.Next(2, 4);
            var digits = random.Next(3, 5);
            var chars = new char[letters + digits];
            for (var i = 0; i < letters; i++)
            {
                chars[i] = Letters[random.Next(Letters.Length)];
            }

            for (var i = letters; i < chars.Length; i++)
            {
                chars[i] = (char)('0' + random.Next(i == letters ? 1 : 0, 10));
            }

            var plate = new string(chars);
            if (taken.Add(plate))
            {
                return plate;
            }
        }
    }

    /// <summary>One character replaced by a look-alike (B→8, O→0, S→5, ...), as OCR engines do.</summary>
    private static string LookAlike(Random random, string plate)
    {
        var places = Enumerable.Range(0, plate.Length).Where(i => LookAlikeGroups.Any(g => g.Contains(plate[i], StringComparison.Ordinal))).ToList();
        if (places.Count == 0)
        {
            return plate;
        }

        var place = places[random.Next(places.Count)];
        var group = LookAlikeGroups.First(g => g.Contains(plate[place], StringComparison.Ordinal));
        var others = group.Where(c => c != plate[place]).ToList();
        var chars = plate.ToCharArray();
        chars[place] = others[random.Next(others.Count)];
        return new string(chars);
    }

    private static TimeSpan Between(Random random, TimeSpan min, TimeSpan max) =>
        TimeSpan.FromSeconds(Math.Round(min.TotalSeconds + random.NextDouble() * (max - min).TotalSeconds));

    private static DateTimeOffset Round(DateTimeOffset at) => new(at.UtcTicks - (at.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
