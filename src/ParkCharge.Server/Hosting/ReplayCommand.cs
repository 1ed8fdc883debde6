using System.CommandLine;
using System.Globalization;

using Microsoft.Extensions.Logging.Abstractions;

using ParkCharge.Core.Engine;
using ParkCharge.Core.Sites;
using ParkCharge.Storage;
using ParkCharge.Storage.Json;
using ParkCharge.Storage.Log;
using ParkCharge.Storage.Queries;

namespace ParkCharge.Server.Hosting;

/// <summary>What a replay found: how much it replayed, and every difference from what was stored.</summary>
public sealed record ReplayReport(
    int Sites,
    long Observations,
    long Events,
    int RepliesDiffering,
    int EventsDiffering,
    int BillsCompared,
    IReadOnlyList<string> BillsDiffering,
    decimal StoredRevenue,
    decimal ReplayedRevenue)
{
    public bool Identical => RepliesDiffering == 0 && EventsDiffering == 0 && BillsDiffering.Count == 0 && StoredRevenue == ReplayedRevenue;
}

/// <summary>
/// <c>parkcharge replay</c>: rebuilds the projections and bills from the log, into a fresh store,
/// by running every stored observation through the engine again, and compares what comes out
/// (answers, events, bills to the cent) with what was stored. A difference means the engine has
/// changed its mind about the past; the report lists it.
/// </summary>
public static class Replay
{
    public static Command Create()
    {
        var data = new Option<string?>("--data") { Description = "The data folder of the SQLite store to replay (default ./data)." };
        var postgres = new Option<string?>("--postgres") { Description = "Replay a PostgreSQL store instead (also PARKCHARGE_POSTGRES)." };
        var into = new Option<string?>("--into") { Description = "A folder for the rebuilt SQLite store (default: a new temporary folder, deleted afterwards)." };
        var command = new Command("replay", "Rebuild projections and bills from the log into a fresh store and check they equal what was stored.") { data, postgres, into };
        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var source = new StoreOptions
            {
                DataDirectory = parse.GetValue(data) ?? "data",
                PostgresConnectionString = parse.GetValue(postgres) ?? Environment.GetEnvironmentVariable("PARKCHARGE_POSTGRES"),
            };
            if (source.PostgresConnectionString is null && !File.Exists(Path.Combine(source.DataDirectory, StoreOptions.SqliteFileName)))
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"No store at {Path.GetFullPath(source.DataDirectory)} (looked for {StoreOptions.SqliteFileName}).");
                return 2;
            }

            var keep = parse.GetValue(into);
            var target = keep ?? Directory.CreateTempSubdirectory("parkcharge-replay-").FullName;
            try
            {
                await using var from = await Store.OpenAsync(source, NullLoggerFactory.Instance, ct);
                await using var to = await Store.OpenAsync(new StoreOptions { DataDirectory = target }, NullLoggerFactory.Instance, ct);
                to.Start();
                var report = await RunAsync(from, to, new Progress<string>(line => output.WriteLine(line)), ct);
                Print(report, output);
                if (keep is not null)
                {
                    output.WriteLine($"The rebuilt store is in {Path.GetFullPath(keep)}.");
                }

                return report.Identical ? 0 : 1;
            }
            finally
            {
                if (keep is null)
                {
                    Directory.Delete(target, recursive: true);
                }
            }
        });
        return command;
    }

    /// <summary>Replays every site of <paramref name="source"/> into the empty store <paramref name="target"/> and compares.</summary>
    public static async Task<ReplayReport> RunAsync(Store source, Store target, IProgress<string>? progress, CancellationToken ct)
    {
        const int batch = 500;
        var sites = await source.Log.SitesAsync(ct);
        long observations = 0, events = 0;
        var repliesDiffering = 0;
        var bases = new Dictionary<SiteId, Storage.Snapshots.LogBase>();
        foreach (var site in sites)
        {
            // A compacted log begins at a snapshot: the replay starts from its state, as start-up does.
            var state = new SiteState(site);
            if (await source.Snapshots.BaseAsync(site, ct) is { } logBase)
            {
                bases[site] = logBase;
                var document = await source.Snapshots.ReadStateAsync(site, logBase.Seq, ct)
                    ?? throw new Storage.Snapshots.SnapshotUnreadableException($"Site '{site}': the snapshot the compacted log begins at ({logBase.Seq}) is missing.");
                state = Storage.Snapshots.SiteStateFormat.Read(site, document, tolerant: true, out _);
                progress?.Report($"  {site}: the log was compacted; replaying from its snapshot at {logBase.Seq:N0}.");
            }

            var entries = new List<LoggedObservation>(batch);
            await foreach (var stored in source.Log.ReadAsync(site, state.LastSeq, ct))
            {
                Decision decision;
                try
                {
                    decision = SiteEngine.Decide(state, stored.Observation);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // As at start-up: an observation the engine fails on keeps its stored answer and changes nothing.
                    progress?.Report($"  {site}: observation {stored.Seq} ({stored.Observation.Payload.Kind}) could not be replayed: {e.Message}");
                    decision = new Decision { Reply = stored.Reply };
                    repliesDiffering++;
                }

                var applied = state.Apply(stored.Observation, decision);
                if (decision.Reply != stored.Reply)
                {
                    repliesDiffering++;
                }

                if (stored.Observation.Payload is UnreadablePayload unreadable)
                {
                    progress?.Report($"  {site}: observation {stored.Seq} ({unreadable.StoredKind}) cannot be read by this version: {unreadable.Problem}");
                    continue; // it cannot be written again either; the answers differ and the report says so
                }

                entries.Add(new LoggedObservation(applied.Seq, stored.Observation, decision, applied.FirstEventSeq));
                events += decision.Events.Count;
                if (++observations % 10_000 == 0)
                {
                    progress?.Report($"  {site}: {observations:N0} observations replayed");
                }

                if (entries.Count == batch)
                {
                    await target.Writer.AppendAsync(new SiteAppend(site, entries));
                    entries = new List<LoggedObservation>(batch);
                }
            }

            if (entries.Count > 0)
            {
                await target.Writer.AppendAsync(new SiteAppend(site, entries));
            }

            progress?.Report($"Site {site}: replayed up to sequence {state.LastSeq:N0}.");
        }

        var eventsDiffering = 0;
        foreach (var site in sites)
        {
            eventsDiffering += await CompareEventsAsync(source, target, site, bases.GetValueOrDefault(site)?.EventSeq ?? 0, ct);
        }

        var storedBills = await source.Bills.AllAsync(ct);
        var replayedBills = (await target.Bills.AllAsync(ct)).ToDictionary(b => b.ParkingSessionId, StringComparer.Ordinal);
        var differing = new List<string>();
        if (bases.Count > 0)
        {
            // Bills settled before the beginning of a compacted log are not replayed: the ones the tail settled or
            // adjusted are compared (a bill's adjustments after the beginning replay onto the state's copy of it).
            storedBills = [.. storedBills.Where(b => replayedBills.ContainsKey(b.ParkingSessionId))];
        }

        foreach (var bill in storedBills)
        {
            if (!replayedBills.Remove(bill.ParkingSessionId, out var again) || !SameBill(bill, again))
            {
                differing.Add($"{bill.ParkingSessionId}: stored {Money(bill.Current.Total)} {bill.Current.Currency}, replayed {(again is null ? "none" : Money(again.Current.Total))}");
            }
        }

        differing.AddRange(replayedBills.Values.Select(b => $"{b.ParkingSessionId}: not stored, replayed {Money(b.Current.Total)} {b.Current.Currency}"));
        return new ReplayReport(
            sites.Count, observations, events, repliesDiffering, eventsDiffering, storedBills.Count, differing,
            storedBills.Sum(b => b.Current.Total), (await target.Bills.AllAsync(ct)).Sum(b => b.Current.Total));
    }

    private static bool SameBill(StoredBill a, StoredBill b) =>
        a.Id == b.Id && a.Bill.Lines.SequenceEqual(b.Bill.Lines) && a.Adjustments.Count == b.Adjustments.Count
        && a.Adjustments.Zip(b.Adjustments).All(x => x.First.Lines.SequenceEqual(x.Second.Lines) && x.First.Recomputed.Lines.SequenceEqual(x.Second.Recomputed.Lines));

    private static async Task<int> CompareEventsAsync(Store source, Store target, SiteId site, long afterSeq, CancellationToken ct)
    {
        var differing = 0;
        await using var a = source.Log.EventsAsync(site, ct).Where(e => e.Seq > afterSeq).GetAsyncEnumerator(ct);
        await using var b = target.Log.EventsAsync(site, ct).GetAsyncEnumerator(ct);
        while (true)
        {
            var hasA = await a.MoveNextAsync();
            var hasB = await b.MoveNextAsync();
            if (!hasA && !hasB)
            {
                return differing;
            }

            if (hasA != hasB || a.Current.Seq != b.Current.Seq || LogJson.Serialize(a.Current.Event) != LogJson.Serialize(b.Current.Event))
            {
                differing++;
            }
        }
    }

    private static void Print(ReplayReport report, TextWriter output)
    {
        output.WriteLine($"Replayed {report.Observations:N0} observations of {report.Sites} site(s) into {report.Events:N0} events.");
        output.WriteLine($"  answers that differ from the stored ones: {report.RepliesDiffering}");
        output.WriteLine($"  events that differ from the stored ones:  {report.EventsDiffering}");
        output.WriteLine($"  bills compared: {report.BillsCompared}, differing: {report.BillsDiffering.Count}");
        output.WriteLine($"  revenue stored {Money(report.StoredRevenue)}, replayed {Money(report.ReplayedRevenue)}");
        foreach (var line in report.BillsDiffering.Take(20))
        {
            output.WriteLine($"    {line}");
        }

        output.WriteLine(report.Identical ? "Identical: the log reproduces every answer, event and bill." : "DIFFERENT: see above.");
    }

    private static string Money(decimal amount) => amount.ToString("0.00##", CultureInfo.InvariantCulture);
}
