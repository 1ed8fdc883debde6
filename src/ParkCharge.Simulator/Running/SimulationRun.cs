using System.Net;

using Microsoft.Extensions.Logging;

using ParkCharge.Simulator.Cameras;
using ParkCharge.Simulator.Chargers;
using ParkCharge.Simulator.Planning;
using ParkCharge.Simulator.Scenarios.Files;

namespace ParkCharge.Simulator.Running;

/// <summary>
/// Plays a <see cref="SimulationPlan"/> against a ParkCharge server: every charger of the site
/// connects over OCPP, every vehicle passes the entry camera, maybe charges at an EV bay (the bay
/// camera reads it first), and passes the exit camera, each at its planned time on
/// <paramref name="clock"/>. Outages and faults happen as planned. Ends at the plan's end or when
/// cancelled: at the end, camera passes that were due before it and not yet sent (a slow or loaded
/// node answers behind the accelerated clock) are still sent, and the chargers deliver what they
/// still had to send.
/// </summary>
public sealed partial class SimulationRun(Scenario scenario, SimulationPlan plan, Uri server, TimeProvider clock, ILogger logger)
{
    public SimulationProgress Progress { get; } = new();

    public SimulationPlan Plan => plan;

    public TimeProvider Clock => clock;

    /// <summary>Chargers that did not come online within this (real) time are reported, and the run goes on.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// How long (real time) the run waits at the plan's end for vehicles whose camera passes were due before
    /// it but are not sent yet; what is still unsent after it is reported as an error.
    /// </summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public async Task RunAsync(CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromSeconds(30) };
        var ocppBase = new Uri($"{(server.Scheme == "https" ? "wss" : "ws")}://{server.Authority}{server.AbsolutePath.TrimEnd('/')}/ocpp/");
        var site = scenario.Site;
        var chargers = site.Chargers.ToDictionary(
            c => c.Id,
            c => new SimulatedCharger(c, site.EvBays.Where(b => b.Charger == c.Id).Select(b => b.Connector), ocppBase, clock, scenario, Progress, logger),
            StringComparer.Ordinal);

        using var chargerStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var playStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var chargerRuns = chargers.Values.Select(c => Task.Run(() => c.RunAsync(chargerStop.Token), CancellationToken.None)).ToList();
        try
        {
            await WaitOnlineAsync(chargers.Values, ct);
            // Vehicles pass their cameras on the run's own token: what was due before the end is sent even when the
            // run is behind the clock (each push waits for the node's durable answer), only Ctrl+C stops it early.
            var visits = plan.Visits.Select(v => Quietly(() => VisitAsync(v, chargers, http, ct, playStop.Token))).ToList();
            var work = new List<Task>(visits);
            work.AddRange(plan.Outages.Select(o => Quietly(() => OutageAsync(o, chargers[o.Charger], playStop.Token))));
            work.AddRange(plan.Faults.Select(f => Quietly(() => chargers[f.Bay.Charger].FaultAsync(f, playStop.Token))));

            await Quietly(() => WaitUntilAsync(plan.End, ct));
            await Quietly(() => DrainVisitsAsync(visits, ct));
            await playStop.CancelAsync();
            await Task.WhenAll(work);

            // At the planned end, what the chargers queued is still delivered (an offline charger comes back for
            // it), so the server sees the whole period; stopped early (Ctrl+C), the run just ends.
            if (!ct.IsCancellationRequested)
            {
                foreach (var charger in chargers.Values)
                {
                    charger.ComeBackOnline();
                }

                await Task.WhenAll(chargers.Values.Select(c => c.DrainAsync(TimeSpan.FromSeconds(15))));
            }
        }
        finally
        {
            await chargerStop.CancelAsync();
            await Task.WhenAll(chargerRuns.Select(r => Quietly(() => r)));
            foreach (var charger in chargers.Values)
            {
                await charger.DisposeAsync();
            }
        }
    }

    private async Task WaitOnlineAsync(IEnumerable<SimulatedCharger> chargers, CancellationToken ct)
    {
        var until = DateTime.UtcNow + ConnectTimeout;
        while (DateTime.UtcNow < until && chargers.Any(c => !c.IsOnline))
        {
            await Task.Delay(50, ct);
        }

        foreach (var charger in chargers.Where(c => !c.IsOnline))
        {
            Progress.Error($"charger {charger.Id} did not come online within {ConnectTimeout.TotalSeconds:0} s");
        }
    }

    private async Task DrainVisitsAsync(List<Task> visits, CancellationToken ct)
    {
        var unsent = visits.Count(v => !v.IsCompleted);
        if (unsent == 0)
        {
            return;
        }

        LogDraining(logger, unsent);
        var all = Task.WhenAll(visits);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var drained = await Task.WhenAny(all, Task.Delay(DrainTimeout, timeout.Token)) == all;
        await timeout.CancelAsync();
        if (!drained)
        {
            Progress.Error($"{visits.Count(v => !v.IsCompleted)} vehicles still had camera reads to send {DrainTimeout.TotalSeconds:0} s after the end of the run");
        }
    }

    private async Task VisitAsync(PlannedVisit visit, Dictionary<string, SimulatedCharger> chargers, HttpClient http, CancellationToken ct, CancellationToken play)
    {
        await PlayUntilAsync(visit.Entry.At, ct);
        await PassAsync(visit.Entry, http, ct);
        Progress.VehicleIn();
        var charging = Task.CompletedTask;
        if (visit.Charge is { } charge)
        {
            charging = Quietly(() => chargers[charge.Bay.Charger].ChargeAsync(charge, play));
            if (charge.BayRead is { } bayRead)
            {
                await PlayUntilAsync(bayRead.At, ct);
                await PassAsync(bayRead, http, ct);
            }
        }

        await PlayUntilAsync(visit.Exit.At, ct);
        await PassAsync(visit.Exit, http, ct);
        Progress.VehicleOut();
        await charging;
    }

    private async Task OutageAsync(ChargerOutage outage, SimulatedCharger charger, CancellationToken ct)
    {
        await WaitUntilAsync(outage.From, ct);
        LogOffline(logger, outage.Charger, outage.Until - outage.From);
        charger.GoOffline();
        await WaitUntilAsync(outage.Until, ct);
        charger.ComeBackOnline();
    }

    private int _pushes;

    private async Task PassAsync(CameraPass pass, HttpClient http, CancellationToken ct)
    {
        foreach (var read in pass.Reads)
        {
            using var request = CameraPushes.Request(read, pass, scenario.Site.Zone, Interlocked.Increment(ref _pushes));
            try
            {
                using var response = await http.SendAsync(request, ct);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    Progress.ReadAccepted();
                }
                else
                {
                    var body = await response.Content.ReadAsStringAsync(ct);
                    Progress.Error($"camera {pass.Camera.Id}: push answered {(int)response.StatusCode}: {body[..Math.Min(body.Length, 300)]}");
                }
            }
            catch (HttpRequestException e)
            {
                Progress.Error($"camera {pass.Camera.Id}: push failed: {e.Message}");
            }
        }
    }

    /// <summary>Waits for an event of the plan; one at or after the plan's end is not played (a cancellation, the run's normal end).</summary>
    private Task PlayUntilAsync(DateTimeOffset at, CancellationToken ct) =>
        at >= plan.End ? Task.FromCanceled(new CancellationToken(canceled: true)) : WaitUntilAsync(at, ct);

    private async Task WaitUntilAsync(DateTimeOffset at, CancellationToken ct)
    {
        var wait = at - clock.GetUtcNow();
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, clock, ct);
        }
    }

    /// <summary>Runs work that ends by cancellation at the end of the run; cancellation is its normal end.</summary>
    private static async Task Quietly(Func<Task> work)
    {
        try
        {
            await work();
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The run has reached its end; {Vehicles} vehicles still send camera reads that were due before it")]
    private static partial void LogDraining(ILogger logger, int vehicles);

    [LoggerMessage(Level = LogLevel.Information, Message = "Simulated charger {Charger} goes offline for {Duration}")]
    private static partial void LogOffline(ILogger logger, string charger, TimeSpan duration);
}
