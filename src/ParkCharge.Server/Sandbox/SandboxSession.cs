using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

using ParkCharge.Simulator.Running;
using ParkCharge.Simulator.Sites;

namespace ParkCharge.Server.Sandbox;

/// <summary>What the server says after a run: sessions, bindings by method, review queue, revenue.</summary>
public sealed record SandboxSummary(
    int ParkingSessions,
    int OpenSessions,
    int ClosedSessions,
    int ChargingSessions,
    IReadOnlyDictionary<string, int> BindingsByMethod,
    int ReviewQueue,
    int BillsSettled,
    decimal Revenue,
    string Currency);

/// <summary>
/// The parts of a sandbox run that talk to the server's API, shared by <c>parkcharge simulate</c> and
/// <c>parkcharge demo</c>: configuring the site, progress lines while the simulator plays, and the
/// summary read back from the API at the end.
/// </summary>
internal static class SandboxSession
{
    public static HttpClient ApiClient(Uri server, string? apiKey)
    {
        var http = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromSeconds(30) };
        if (apiKey is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        return http;
    }

    /// <summary>
    /// Configures the site on the server from the site file (PUT /api/v1/sites/{id}, admin key). Returns
    /// null when done, otherwise what the user must fix.
    /// </summary>
    public static async Task<string?> ConfigureSiteAsync(HttpClient api, SimulatedSite site, CancellationToken ct)
    {
        HttpResponseMessage response;
        try
        {
            var mediaType = site.Document.TrimStart().StartsWith('{') ? "application/json" : "application/yaml";
            response = await api.PutAsync($"/api/v1/sites/{Uri.EscapeDataString(site.Id)}", new StringContent(site.Document, Encoding.UTF8, mediaType), ct);
        }
        catch (HttpRequestException e)
        {
            return $"The server at {api.BaseAddress} cannot be reached: {e.Message}";
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(ct);
            return response.StatusCode switch
            {
                HttpStatusCode.OK or HttpStatusCode.Created => null,
                HttpStatusCode.Unauthorized => "The server wants an API key: pass an admin key with --api-key (or PARKCHARGE_API_KEY).",
                HttpStatusCode.Forbidden => $"The API key may not configure sites (that needs the admin role). Configure site '{site.Id}' from the site file yourself, with the camera keys and charger passwords the simulator will use (set them as environment variables for the ${{NAME}} references), or pass an admin key.",
                _ => $"The server refused site '{site.Id}' ({(int)response.StatusCode}): {Problems(body)}",
            };
        }
    }

    /// <summary>Prints a progress line every <paramref name="every"/> (real time) until the run ends.</summary>
    public static async Task ReportProgressAsync(SimulationRun run, TimeZoneInfo zone, TextWriter output, TimeSpan every, Task running)
    {
        while (await Task.WhenAny(running, Task.Delay(every)) != running)
        {
            await output.WriteLineAsync(ProgressLine(run, zone));
        }
    }

    public static string ProgressLine(SimulationRun run, TimeZoneInfo zone)
    {
        var p = run.Progress;
        var now = TimeZoneInfo.ConvertTime(run.Clock.GetUtcNow(), zone);
        var done = Math.Clamp((run.Clock.GetUtcNow() - run.Plan.Start) / (run.Plan.End - run.Plan.Start), 0, 1);
        return string.Create(CultureInfo.InvariantCulture,
            $"[{now:yyyy-MM-dd HH:mm} {done,4:P0}] vehicles in {p.VehiclesIn}, out {p.VehiclesOut} · charging sessions {p.ChargingSessions} · reads {p.Reads} · OCPP messages {p.OcppMessages} · chargers online {p.ChargersConnected} · errors {p.Errors}");
    }

    /// <summary>Reads the outcome from the API: every parking session and binding of the site, and the daily reports of the days the run covered.</summary>
    public static async Task<SandboxSummary> SummaryAsync(HttpClient api, string siteId, DateTimeOffset from, DateTimeOffset to, TimeZoneInfo zone, CancellationToken ct)
    {
        var site = Uri.EscapeDataString(siteId);
        var sessions = await AllAsync(api, $"/api/v1/parking-sessions?siteId={site}", ct);
        var charging = await AllAsync(api, $"/api/v1/charging-sessions?siteId={site}", ct);
        var bindings = await AllAsync(api, $"/api/v1/bindings?siteId={site}&status=Bound,Provisional,Review,Waiting", ct);
        var review = await AllAsync(api, $"/api/v1/bindings?siteId={site}", ct);
        var byMethod = bindings
            .GroupBy(b => b.TryGetProperty("method", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : $"({b.GetProperty("status").GetString()})")
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

        var revenue = 0m;
        var bills = 0;
        var currency = "";
        var first = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(from, zone).DateTime);
        var last = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(to, zone).DateTime);
        for (var day = first; day <= last; day = day.AddDays(1))
        {
            using var report = JsonDocument.Parse(await api.GetStringAsync($"/api/v1/sites/{site}/reports/daily?date={day:yyyy-MM-dd}", ct));
            revenue += report.RootElement.GetProperty("revenue").GetProperty("total").GetDecimal();
            bills += report.RootElement.GetProperty("billsSettled").GetInt32();
            currency = report.RootElement.GetProperty("currency").GetString() ?? "";
        }

        static string Status(JsonElement s) => s.GetProperty("status").GetString() ?? "";
        return new SandboxSummary(
            sessions.Count,
            sessions.Count(s => Status(s) == "Open"),
            sessions.Count(s => Status(s) == "Closed"),
            charging.Count,
            byMethod,
            review.Count,
            bills,
            revenue,
            currency);
    }

    /// <summary>
    /// Plays <paramref name="run"/> with a progress line every 5 seconds, then reads the server's view of
    /// the simulated period (up to <paramref name="until"/> when the run ends) and writes the summary.
    /// Returns the server's view, or null when it could not be read (the summary says why).
    /// </summary>
    public static async Task<SandboxSummary?> PlayAsync(
        SimulationRun run, HttpClient api, SimulatedSite site, Func<DateTimeOffset> until, TextWriter output, CancellationToken ct)
    {
        var running = run.RunAsync(ct);
        await ReportProgressAsync(run, site.Zone, output, TimeSpan.FromSeconds(5), running);
        await running;
        await output.WriteLineAsync(ProgressLine(run, site.Zone));

        // Early (Ctrl+C): the period simulated ends now, not at the end of the plan.
        var end = until() < run.Plan.End ? until() : run.Plan.End;
        SandboxSummary? summary = null;
        string? problem = null;
        try
        {
            summary = await SummaryAsync(api, site.Id, run.Plan.Start, end, site.Zone, CancellationToken.None);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or KeyNotFoundException or TaskCanceledException)
        {
            problem = e.Message;
        }

        await WriteSummaryAsync(output, run, end, summary, problem);
        return summary;
    }

    private static async Task WriteSummaryAsync(TextWriter output, SimulationRun run, DateTimeOffset end, SandboxSummary? summary, string? summaryProblem)
    {
        var p = run.Progress;
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Simulated {run.Plan.Start:yyyy-MM-dd HH:mm} to {end:yyyy-MM-dd HH:mm} UTC: {p.VehiclesIn} vehicles in, {p.VehiclesOut} out, {p.ChargingSessions} charging sessions.");
        text.AppendLine(CultureInfo.InvariantCulture, $"Sent {p.Reads} camera reads and {p.OcppMessages} OCPP messages ({p.DeliveredAfterReconnect} delivered after an offline period); answered {p.ServerCalls} calls from the server.");
        if (summary is not null)
        {
            text.AppendLine("The server's view:");
            text.AppendLine(CultureInfo.InvariantCulture, $"  parking sessions  {summary.ParkingSessions} ({summary.ClosedSessions} closed, {summary.OpenSessions} open)");
            text.AppendLine(CultureInfo.InvariantCulture, $"  charging sessions {summary.ChargingSessions}");
            text.AppendLine(CultureInfo.InvariantCulture, $"  bindings          {(summary.BindingsByMethod.Count == 0 ? "none" : string.Join(", ", summary.BindingsByMethod.Select(m => $"{m.Key} {m.Value}")))}");
            text.AppendLine(CultureInfo.InvariantCulture, $"  review queue      {summary.ReviewQueue}");
            text.AppendLine(CultureInfo.InvariantCulture, $"  bills settled     {summary.BillsSettled}, revenue {summary.Revenue:0.00} {summary.Currency}");
        }
        else if (summaryProblem is not null)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"The summary could not be read from the server: {summaryProblem}");
        }

        if (p.Errors > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{p.Errors} errors; the first ones:");
            foreach (var error in p.ErrorSamples)
            {
                text.AppendLine("  " + error);
            }
        }

        await output.WriteAsync(text.ToString());
    }

    private static async Task<List<JsonElement>> AllAsync(HttpClient api, string path, CancellationToken ct)
    {
        var items = new List<JsonElement>();
        string? cursor = null;
        do
        {
            var url = $"{path}&limit=200" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}");
            using var page = JsonDocument.Parse(await api.GetStringAsync(url, ct));
            items.AddRange(page.RootElement.GetProperty("items").EnumerateArray().Select(e => e.Clone()));
            cursor = page.RootElement.TryGetProperty("next", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
        }
        while (cursor is not null);
        return items;
    }

    private static string Problems(string body)
    {
        try
        {
            using var problem = JsonDocument.Parse(body);
            var root = problem.RootElement;
            var title = root.TryGetProperty("title", out var t) ? t.GetString() : null;
            if (root.TryGetProperty("errors", out var errors))
            {
                var lines = errors.ValueKind == JsonValueKind.Array
                    ? errors.EnumerateArray().Select(e => e.ToString())
                    : errors.EnumerateObject().SelectMany(e => e.Value.ValueKind == JsonValueKind.Array ? e.Value.EnumerateArray().Select(v => $"{e.Name}: {v}") : [$"{e.Name}: {e.Value}"]);
                return $"{title}\n  " + string.Join("\n  ", lines);
            }

            return root.TryGetProperty("detail", out var d) ? $"{title}: {d.GetString()}" : title ?? body;
        }
        catch (JsonException)
        {
            return body.Length > 500 ? body[..500] : body;
        }
    }
}
