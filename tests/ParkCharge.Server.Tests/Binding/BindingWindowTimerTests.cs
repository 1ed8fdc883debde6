using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

using Microsoft.Extensions.DependencyInjection;

using ParkCharge.Core.Charging;
using ParkCharge.Testing;

using V16 = ParkCharge.Ocpp.V16;

namespace ParkCharge.Server.Tests.Binding;

/// <summary>
/// Plug-ins waiting forever (issue 13, pattern 6), through a real node on the real clock: timers that fire a
/// moment before their deadline (as the independent harness saw in four of five runs) must not leave a plug-in,
/// or the site's later ones, Waiting. The binding window is two seconds so the test runs in real time.
/// </summary>
public sealed class BindingWindowTimerTests(PostgresServer postgres) : IAsyncLifetime
{
    private const string GateKey = "timer-gate-key-0123456789";
    private TestNode _node = null!;

    public async ValueTask InitializeAsync()
    {
        _node = await TestNode.StartAsync(StoreEngine.Sqlite, postgres, configure: b => b.Services.AddSingleton<TimeProvider>(new EarlyTimers(TimeSpan.FromMilliseconds(1.5))));
        var site = $$"""
            {
              "id": "timers", "name": "Timers", "timeZone": "Europe/Berlin", "currency": "EUR",
              "settings": { "bindingWindow": "2s" },
              "lanes": [ { "id": "in", "direction": "entry", "cameras": [ { "id": "timers-gate", "key": "{{GateKey}}" } ] } ],
              "chargers": [ { "id": "CP-T" } ],
              "evBays": [ { "id": "T1", "charger": "CP-T", "connector": 1 }, { "id": "T2", "charger": "CP-T", "connector": 2 }, { "id": "T3", "charger": "CP-T", "connector": 3 } ]
            }
            """;
        using var put = await _node.Http.PutAsync("/api/v1/sites/timers", new StringContent(site, Encoding.UTF8, "application/json"));
        Assert.True(put.StatusCode == HttpStatusCode.Created, await put.Content.ReadAsStringAsync());
    }

    public async ValueTask DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task Plug_ins_leave_Waiting_at_their_window_s_end_when_the_node_s_timers_fire_early()
    {
        using (var gate = new HttpClient { BaseAddress = _node.BaseUri })
        {
            gate.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", GateKey);
            foreach (var plate in (string[])["AAA111", "BBB222"])
            {
                using var read = await gate.PostAsJsonAsync("/api/v1/anpr/reads", new { cameraId = "timers-gate", plate, confidence = 0.95, capturedAt = DateTimeOffset.UtcNow });
                Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            }
        }

        await using var charger = await TestCharger.ConnectAsync(_node.OcppUri("CP-T"), OcppVersion.Ocpp16);
        var transactions = new List<string>();
        foreach (var connector in (int[])[1, 2, 3])
        {
            var started = await charger.CallAsync(V16.V16Actions.StartTransaction, new V16.StartTransactionRequest { ConnectorId = connector, IdTag = $"RFID-{connector}", MeterStart = 0, Timestamp = DateTimeOffset.UtcNow });
            transactions.Add(started.TransactionId.ToString(CultureInfo.InvariantCulture));
            await Task.Delay(700); // each window ends while the next plug-in's timer is armed
        }

        var statuses = await _node.EventuallyAsync(async () =>
        {
            using var page = JsonDocument.Parse(await _node.Http.GetStringAsync("/api/v1/charging-sessions?siteId=timers"));
            return page.RootElement.GetProperty("items").EnumerateArray()
                .ToDictionary(s => s.GetProperty("transactionId").GetString()!, s => s.GetProperty("binding").GetProperty("status").GetString());
        }, s => s.Count == 3 && s.Values.All(v => v != "Waiting"), TimeSpan.FromSeconds(20));

        Assert.All(transactions, tx => Assert.Equal("Review", statuses[tx]));
    }

    /// <summary>The real clock, with timers that fire <c>early</c> before their due time (never more than half of it).</summary>
    private sealed class EarlyTimers(TimeSpan early) : TimeProvider
    {
        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            System.CreateTimer(callback, state, dueTime <= TimeSpan.Zero || dueTime == Timeout.InfiniteTimeSpan ? dueTime : dueTime - (early < dueTime / 2 ? early : dueTime / 2), period);
    }
}
