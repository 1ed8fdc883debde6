using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

using ParkCharge.Core.Charging;
using ParkCharge.Core.Engine;
using ParkCharge.Core.Sites;
using ParkCharge.Ocpp.Rpc;
using ParkCharge.Server.Tests.Security;
using ParkCharge.Storage;
using ParkCharge.Testing;

using V16 = ParkCharge.Ocpp.V16;
using V201 = ParkCharge.Ocpp.V201;

namespace ParkCharge.Server.Tests.Commands;

public sealed class SqliteCommandApiTests(PostgresServer postgres) : CommandApiTests(StoreEngine.Sqlite, postgres);

public sealed class PostgresCommandApiTests(PostgresServer postgres) : CommandApiTests(StoreEngine.Postgres, postgres);

/// <summary>Commands through the API to real chargers on real WebSockets: what they receive, and the outcome recorded.</summary>
public abstract class CommandApiTests(StoreEngine engine, PostgresServer postgres) : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private TestNode _node = null!;

    public async ValueTask InitializeAsync()
    {
        _node = await StartAsync(await TestStores.CreateOptionsAsync(engine, postgres));
        await _node.RegisterChargerAsync("CP-16", site: "garage");
        await _node.RegisterChargerAsync("CS-201", site: "garage");
    }

    public async ValueTask DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task A_remote_start_reaches_a_16_charger_its_answer_is_the_outcome_and_the_session_it_starts_is_linked()
    {
        var script = new ChargerScript();
        await using var charger = await ChargerScript.ConnectAsync(_node, "CP-16", OcppVersion.Ocpp16, script);

        using var response = await SubmitAsync(new { type = "remoteStart", chargerId = "CP-16", connector = 1, idToken = "APP-1" });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        Assert.Equal($"/api/v1/commands/{id}", response.Headers.Location?.OriginalString);
        var call = await script.NextAsync("RemoteStartTransaction");
        Assert.Equal(("1", "APP-1"), (call.Text("connectorId"), call.Text("idTag")));
        var done = await OutcomeAsync(id);
        Assert.Equal(("Accepted", "Accepted", "Api"), (done.GetProperty("status").GetString(), done.GetProperty("response").GetString(), done.GetProperty("origin").GetString()));

        var start = await charger.CallAsync(V16.V16Actions.StartTransaction, new V16.StartTransactionRequest { ConnectorId = 1, IdTag = "APP-1", MeterStart = 0, Timestamp = _time.GetUtcNow() });

        Assert.Equal(V16.AuthorizationStatus.Accepted, start.IdTagInfo.Status);
        var linked = await _node.EventuallyAsync(() => CommandAsync(id), c => c.TryGetProperty("chargingSessionId", out var s) && s.ValueKind == JsonValueKind.String);
        Assert.Equal(start.TransactionId.ToString(CultureInfo.InvariantCulture), linked.GetProperty("transactionId").GetString());
        var events = await EventsAsync();
        Assert.Contains(events, e => e is CommandCompleted c && c.Command.CommandId == id && c.Command.Status == Core.Commands.CommandStatus.Accepted);
    }

    [Fact]
    public async Task A_201_charger_is_started_with_a_remote_start_id_and_stopped_by_charging_session()
    {
        var script = new ChargerScript();
        await using var charger = await ChargerScript.ConnectAsync(_node, "CS-201", OcppVersion.Ocpp201, script);

        using var submitted = await SubmitAsync(new { type = "remoteStart", chargerId = "CS-201", connector = 2, idToken = "EMAID-9", idTokenType = "eMAID" });
        var id = (await submitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var call = await script.NextAsync("RequestStartTransaction");
        Assert.Equal(("2", "EMAID-9", "eMAID"), (call.Text("evseId"), call.Payload.GetProperty("idToken").GetProperty("idToken").GetString(), call.Payload.GetProperty("idToken").GetProperty("type").GetString()));
        var remoteStartId = call.Payload.GetProperty("remoteStartId").GetInt32();
        await charger.CallAsync(V201.V201Actions.TransactionEvent, new V201.TransactionEventRequest
        {
            EventType = V201.TransactionEventEnumType.Started,
            Timestamp = _time.GetUtcNow(),
            TriggerReason = V201.TriggerReasonEnumType.RemoteStart,
            SeqNo = 0,
            TransactionInfo = new V201.TransactionType { TransactionId = "tx-remote-1", RemoteStartId = remoteStartId, ChargingState = V201.ChargingStateEnumType.Charging },
            Evse = new V201.EVSEType { Id = 2, ConnectorId = 1 },
            IdToken = new V201.IdTokenType { IdToken = "EMAID-9", Type = V201.IdTokenEnumType.EMAID },
        });
        var started = await _node.EventuallyAsync(
            () => CommandAsync(id),
            c => c.TryGetProperty("chargingSessionId", out var s) && s.ValueKind == JsonValueKind.String);

        using var stop = await SubmitAsync(new { type = "remoteStop", chargingSessionId = started.GetProperty("chargingSessionId").GetString() });

        Assert.Equal(HttpStatusCode.Accepted, stop.StatusCode);
        Assert.Equal("tx-remote-1", (await script.NextAsync("RequestStopTransaction")).Text("transactionId"));
        var stopped = await OutcomeAsync((await stop.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
        Assert.Equal(("Accepted", "CS-201", 2), (stopped.GetProperty("status").GetString(), stopped.GetProperty("chargerId").GetString(), stopped.GetProperty("connector").GetInt32()));
    }

    [Fact]
    public async Task A_command_to_an_offline_charger_that_may_not_wait_ends_offline_at_once()
    {
        using var response = await SubmitAsync(new { type = "reset", chargerId = "CP-16", resetType = "hard", offlineWaitSeconds = 0 });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var command = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("Offline", "Hard"), (command.GetProperty("status").GetString(), command.GetProperty("resetType").GetString()));
        Assert.Contains("not connected", command.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_command_waits_for_an_offline_charger_and_is_delivered_when_it_connects()
    {
        using var response = await SubmitAsync(new { type = "unlockConnector", chargerId = "CP-16", connector = 2, offlineWaitSeconds = 300 });
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        Assert.Equal("Pending", (await CommandAsync(id)).GetProperty("status").GetString());

        var script = new ChargerScript();
        await using var charger = await ChargerScript.ConnectAsync(_node, "CP-16", OcppVersion.Ocpp16, script);

        Assert.Equal("2", (await script.NextAsync("UnlockConnector")).Text("connectorId"));
        var done = await OutcomeAsync(id);
        Assert.Equal(("Accepted", "Unlocked"), (done.GetProperty("status").GetString(), done.GetProperty("response").GetString()));
    }

    [Fact]
    public async Task A_command_for_a_charger_that_stays_offline_past_its_wait_ends_offline()
    {
        using var response = await SubmitAsync(new { type = "changeAvailability", chargerId = "CS-201", availability = "inoperative", offlineWaitSeconds = 60 });
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        _time.Advance(TimeSpan.FromSeconds(61));

        var done = await OutcomeAsync(id);
        Assert.Equal("Offline", done.GetProperty("status").GetString());
        Assert.Contains("not connected within", done.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_command_the_charger_rejects_is_recorded_with_its_answer_and_a_callerror_with_its_code()
    {
        var script = new ChargerScript
        {
            Answer = call => Task.FromResult<RpcReply?>(call.Action == "Reset"
                ? ChargerScript.Status("Rejected")
                : RpcReply.Error(RpcErrorCode.NotImplemented, "no smart charging here")),
        };
        await using var charger = await ChargerScript.ConnectAsync(_node, "CP-16", OcppVersion.Ocpp16, script);

        using var reset = await SubmitAsync(new { type = "reset", chargerId = "CP-16" });
        using var limit = await SubmitAsync(new { type = "setChargingLimit", chargerId = "CP-16", limit = 11000, unit = "W" });

        var rejected = await OutcomeAsync((await reset.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
        var failed = await OutcomeAsync((await limit.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
        Assert.Equal(("Rejected", "Rejected"), (rejected.GetProperty("status").GetString(), rejected.GetProperty("response").GetString()));
        Assert.Equal(("Rejected", "NotImplemented"), (failed.GetProperty("status").GetString(), failed.GetProperty("response").GetString()));
        Assert.Contains("no smart charging here", failed.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var profile = (await script.NextAsync("SetChargingProfile")).Payload;
        Assert.Equal((0, "ChargePointMaxProfile", 11000m), (profile.GetProperty("connectorId").GetInt32(),
            profile.GetProperty("csChargingProfiles").GetProperty("chargingProfilePurpose").GetString(),
            profile.GetProperty("csChargingProfiles").GetProperty("chargingSchedule").GetProperty("chargingSchedulePeriod")[0].GetProperty("limit").GetDecimal()));
    }

    [Fact]
    public async Task A_command_the_charger_does_not_answer_times_out()
    {
        var release = new TaskCompletionSource<RpcReply?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var script = new ChargerScript { Answer = _ => release.Task };
        await using var charger = await ChargerScript.ConnectAsync(_node, "CS-201", OcppVersion.Ocpp201, script);
        using var response = await SubmitAsync(new { type = "clearChargingLimit", chargerId = "CS-201", connector = 1 });
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        Assert.Equal(9201, (await script.NextAsync("ClearChargingProfile")).Payload.GetProperty("chargingProfileId").GetInt32());
        await _node.EventuallyAsync(() => CommandAsync(id), c => c.GetProperty("status").GetString() == "Sent");

        _time.Advance(TimeSpan.FromSeconds(31));

        var done = await OutcomeAsync(id);
        release.SetResult(null);
        Assert.Equal("TimedOut", done.GetProperty("status").GetString());
        Assert.Contains("may or may not have acted", done.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submitting_a_command_twice_with_one_idempotency_key_makes_one_command_and_one_call()
    {
        var script = new ChargerScript();
        await using var charger = await ChargerScript.ConnectAsync(_node, "CP-16", OcppVersion.Ocpp16, script);
        var body = new { type = "remoteStart", chargerId = "CP-16", connector = 1, idToken = "APP-2" };

        using var first = await SubmitAsync(body, idempotencyKey: "start-bay-1-0930");
        using var second = await SubmitAsync(body, idempotencyKey: "start-bay-1-0930");

        Assert.Equal((HttpStatusCode.Accepted, HttpStatusCode.Accepted), (first.StatusCode, second.StatusCode));
        Assert.Equal(first.Headers.Location, second.Headers.Location);
        var id = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await OutcomeAsync(id);
        using var list = JsonDocument.Parse(await _node.Http.GetStringAsync("/api/v1/commands?chargerId=CP-16"));
        Assert.Equal(id, Assert.Single(list.RootElement.GetProperty("items").EnumerateArray()).GetProperty("id").GetString());
        Assert.Single(script.All, c => c.Action == "RemoteStartTransaction");
    }

    [Fact]
    public async Task A_pending_command_survives_a_restart_and_is_delivered_when_the_charger_connects()
    {
        using var response = await SubmitAsync(new { type = "setChargingLimit", chargerId = "CP-16", connector = 1, limit = 16, unit = "A", phases = 3, offlineWaitSeconds = 3600 });
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var storeOptions = _node.StoreOptions;
        await _node.DisposeAsync();

        _node = await StartAsync(storeOptions);
        var script = new ChargerScript();
        await using var charger = await ChargerScript.ConnectAsync(_node, "CP-16", OcppVersion.Ocpp16, script);

        var profile = (await script.NextAsync("SetChargingProfile")).Payload;
        Assert.Equal((1, "TxDefaultProfile", "A", 16m), (profile.GetProperty("connectorId").GetInt32(),
            profile.GetProperty("csChargingProfiles").GetProperty("chargingProfilePurpose").GetString(),
            profile.GetProperty("csChargingProfiles").GetProperty("chargingSchedule").GetProperty("chargingRateUnit").GetString(),
            profile.GetProperty("csChargingProfiles").GetProperty("chargingSchedule").GetProperty("chargingSchedulePeriod")[0].GetProperty("limit").GetDecimal()));
        Assert.Equal("Accepted", (await OutcomeAsync(id)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Commands_are_listed_by_status_and_type_and_bad_filters_or_commands_are_problems()
    {
        using var offline = await SubmitAsync(new { type = "reset", chargerId = "CP-16", offlineWaitSeconds = 0 });
        using var waiting = await SubmitAsync(new { type = "reset", chargerId = "CS-201" });

        using var list = JsonDocument.Parse(await _node.Http.GetStringAsync("/api/v1/commands?siteId=garage&status=offline&type=Reset"));
        Assert.Equal("CP-16", Assert.Single(list.RootElement.GetProperty("items").EnumerateArray()).GetProperty("chargerId").GetString());

        using var badFilter = await _node.Http.GetAsync("/api/v1/commands?status=Lost");
        using var noCharger = await SubmitAsync(new { type = "reset" });
        using var unknownCharger = await SubmitAsync(new { type = "reset", chargerId = "CP-NONE" });
        using var unknownType = await SubmitAsync(new { type = "selfDestruct", chargerId = "CP-16" });
        using var noSession = await SubmitAsync(new { type = "remoteStop", chargingSessionId = "nope" });
        Assert.Equal(
            (HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.NotFound, HttpStatusCode.BadRequest, HttpStatusCode.NotFound),
            (badFilter.StatusCode, noCharger.StatusCode, unknownCharger.StatusCode, unknownType.StatusCode, noSession.StatusCode));
        Assert.Equal("application/problem+json", noCharger.Content.Headers.ContentType?.MediaType);
        Assert.Contains("chargerId", await noCharger.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_integrator_may_start_stop_and_limit_charging_but_not_reset_unlock_or_disable_a_charger()
    {
        var script = new ChargerScript();
        await using var charger = await ChargerScript.ConnectAsync(_node, "CP-16", OcppVersion.Ocpp16, script);
        var (_, key) = await _node.CreateKeyAsync("integrator", name: "parking system");
        using var integrator = _node.ClientWith(key);

        using var limit = await integrator.PostAsJsonAsync("/api/v1/commands", new { type = "setChargingLimit", chargerId = "CP-16", connector = 1, limit = 7400, unit = "W" }, TestContext.Current.CancellationToken);
        using var reset = await integrator.PostAsJsonAsync("/api/v1/commands", new { type = "reset", chargerId = "CP-16" }, TestContext.Current.CancellationToken);
        using var unlock = await integrator.PostAsJsonAsync("/api/v1/commands", new { type = "unlockConnector", chargerId = "CP-16", connector = 1 }, TestContext.Current.CancellationToken);
        using var disable = await integrator.PostAsJsonAsync("/api/v1/commands", new { type = "changeAvailability", chargerId = "CP-16", availability = "inoperative" }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Accepted, limit.StatusCode);
        Assert.Equal("SetChargingProfile", (await script.NextAsync("SetChargingProfile")).Action);
        Assert.Equal([HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden], [reset.StatusCode, unlock.StatusCode, disable.StatusCode]);
        var problem = await reset.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal(["admin", "operator"], problem.GetProperty("requiredRoles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("integrator", problem.GetProperty("role").GetString());
        using var listed = await _node.Http.GetAsync("/api/v1/commands?chargerId=CP-16", TestContext.Current.CancellationToken);
        var items = (await listed.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("items");
        Assert.Equal(["SetChargingLimit"], items.EnumerateArray().Select(c => c.GetProperty("type").GetString()));
    }

    private async Task<TestNode> StartAsync(StoreOptions options) =>
        await TestNode.StartAsync(options, configure: builder => builder.Services.AddSingleton<TimeProvider>(_time));

    private Task<HttpResponseMessage> SubmitAsync(object body, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/commands") { Content = JsonContent.Create(body) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return _node.Http.SendAsync(request);
    }

    private async Task<JsonElement> CommandAsync(string id)
    {
        using var document = JsonDocument.Parse(await _node.Http.GetStringAsync($"/api/v1/commands/{id}"));
        return document.RootElement.Clone();
    }

    /// <summary>The command once it has an outcome.</summary>
    private Task<JsonElement> OutcomeAsync(string id) =>
        _node.EventuallyAsync(() => CommandAsync(id), c => c.GetProperty("status").GetString() is not ("Pending" or "Sent"));

    private async Task<List<DomainEvent>> EventsAsync()
    {
        var store = _node.App.Services.GetRequiredService<Store>();
        var events = new List<DomainEvent>();
        await foreach (var stored in store.Log.EventsAsync(new SiteId("garage"), CancellationToken.None))
        {
            events.Add(stored.Event);
        }

        return events;
    }
}
