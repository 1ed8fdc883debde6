using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

using ParkCharge.Server.Hosting;
using ParkCharge.Server.Sites;
using ParkCharge.Simulator.Clock;
using ParkCharge.Simulator.Scenarios.BusyDay;

namespace ParkCharge.Bench.Accuracy;

/// <summary>
/// <c>binding-accuracy --node</c>: the busy day played through a real ParkCharge node in this process (Kestrel,
/// SQLite in a temporary folder, OCPP-J WebSockets and camera pushes over HTTP) on an accelerated clock the
/// node shares with the player, so that the node's own timers end the binding windows in (accelerated) real
/// time. Then the node's decisions are scored like the in-process run, and both are printed; the API's charging
/// sessions list is checked against what the engine holds.
/// </summary>
internal static class BindingAccuracyOnNode
{
    private const string ApiKey = "pck_binding-accuracy-bench-key-0123456789";

    public static async Task<(BindingAccuracyResult OnNode, int Refused, int Sent, int ApiMismatches, TimeSpan Real)> RunAsync(SimulatedDay day, double speed)
    {
        var folder = Directory.CreateTempSubdirectory("parkcharge-binding-accuracy-").FullName;
        var real = Stopwatch.StartNew();
        try
        {
            var firstCar = day.Messages.First(m => m.Observation.ReceivedAt > day.Options.FirstDay.AddHours(1)).Observation.ReceivedAt;
            var clock = new AcceleratedClock(firstCar.AddSeconds(-30), speed, start: false);
            var settings = new Dictionary<string, string?>
            {
                ["urls"] = "http://127.0.0.1:0",
                ["ParkCharge:DataDirectory"] = folder,
                ["ParkCharge:ApiKey"] = ApiKey,
                ["ParkCharge:Postgres"] = null,
                ["Logging:LogLevel:Default"] = "Warning",
                ["ParkCharge:Ocpp:CallTimeoutSeconds"] = Math.Ceiling(30 * speed).ToString(CultureInfo.InvariantCulture),
            };
            await using var app = await ParkChargeApp.CreateAsync([], settings, builder => builder.Services.AddSingleton<TimeProvider>(clock));
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            var server = new Uri(address);
            var player = new BusyDayNodePlayer(day, server, ApiKey, clock, app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ParkCharge.Bench.BusyDay"));
            clock.Start();
            await player.PlayAsync(CancellationToken.None);

            var host = app.Services.GetRequiredService<SiteEngines>().For(day.Site.Id);
            var result = await host.ReadAsync(state => BindingAccuracy.Score(day, state, player.Issued));
            var engine = await host.ReadAsync(state => state.Binding.Bindings.ToDictionary(b => b.ChargingSessionId, b => (Status: b.Status.ToString(), b.Plate), StringComparer.Ordinal));
            var mismatches = await ApiMismatchesAsync(server, day.Site.Id.Value, engine);
            await app.StopAsync();
            return (result, player.Refused, player.Sent, mismatches, real.Elapsed);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // Left for the system's temp cleaning.
            }
        }
    }

    /// <summary>Charging sessions whose binding in GET /api/v1/charging-sessions differs from the engine's (none expected).</summary>
    private static async Task<int> ApiMismatchesAsync(Uri server, string site, Dictionary<string, (string Status, string? Plate)> engine)
    {
        using var http = new HttpClient { BaseAddress = server };
        http.DefaultRequestHeaders.Authorization = new("Bearer", ApiKey);
        var mismatches = 0;
        var seen = 0;
        string? cursor = null;
        do
        {
            using var page = JsonDocument.Parse(await http.GetStringAsync($"/api/v1/charging-sessions?siteId={site}&limit=500{(cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor))}"));
            foreach (var session in page.RootElement.GetProperty("items").EnumerateArray())
            {
                seen++;
                var binding = session.GetProperty("binding");
                var listed = binding.ValueKind == JsonValueKind.Null ? (null, null) : (binding.GetProperty("status").GetString(), binding.GetProperty("plate").GetString());
                mismatches += engine.TryGetValue(session.GetProperty("id").GetString()!, out var held) && held == listed ? 0 : 1;
            }

            cursor = page.RootElement.GetProperty("next").GetString();
        }
        while (cursor is not null);

        return mismatches + Math.Abs(engine.Count - seen);
    }
}
