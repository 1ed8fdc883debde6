using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

using ParkCharge.Core.Charging;
using ParkCharge.Ocpp.Rpc;
using ParkCharge.Testing;

using V16 = ParkCharge.Ocpp.V16;
using V21 = ParkCharge.Ocpp.V21;

namespace ParkCharge.Server.Tests.Commands;

public sealed class SqliteOperatorCommandTests(PostgresServer postgres) : OperatorCommandTests(StoreEngine.Sqlite, postgres);

public sealed class PostgresOperatorCommandTests(PostgresServer postgres) : OperatorCommandTests(StoreEngine.Postgres, postgres);

/// <summary>
/// The operator essentials through the command API, to real chargers on real WebSockets: triggers, variables and
/// configuration keys, firmware updates from a file the node serves over a signed, expiring link, log uploads to the
/// node, and the status notifications that follow them.
/// </summary>
public abstract class OperatorCommandTests(StoreEngine engine, PostgresServer postgres) : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private TestNode _node = null!;

    public async ValueTask InitializeAsync()
    {
        _node = await TestNode.StartAsync(await TestStores.CreateOptionsAsync(engine, postgres), configure: builder => builder.Services.AddSingleton<TimeProvider>(_time));
        await _node.RegisterChargerAsync("CP-16", site: "garage");
        await _node.RegisterChargerAsync("CS-201", site: "garage");
        await _node.RegisterChargerAsync("CS-21", site: "garage");
    }

    public async ValueTask DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task GetVariables_reaches_a_201_charger_and_its_answer_per_variable_is_recorded()
    {
        var script = new ChargerScript
        {
            Answer = call => Reply("""
                {"getVariableResult":[
                  {"attributeStatus":"Accepted","attributeValue":"300","component":{"name":"OCPPCommCtrlr"},"variable":{"name":"HeartbeatInterval"}},
                  {"attributeStatus":"UnknownVariable","component":{"name":"TxCtrlr"},"variable":{"name":"Nope"}}]}
                """),
        };
        await using var charger = await ChargerScript.ConnectAsync(_node, "CS-201", OcppVersion.Ocpp201, script);

        var id = await SubmitOkAsync(new
        {
            type = "getVariables",
            chargerId = "CS-201",
            variables = new object[] { new { component = "OCPPCommCtrlr", variable = "HeartbeatInterval" }, new { component = "TxCtrlr", variable = "Nope", attributeType = "Actual" } },
        });

        var call = (await script.NextAsync("GetVariables")).Payload.GetProperty("getVariableData");
        Assert.Equal(("OCPPCommCtrlr", "HeartbeatInterval", "Actual"), (call[0].GetProperty("component").GetProperty("name").GetString(),
            call[0].GetProperty("variable").GetProperty("name").GetString(), call[1].GetProperty("attributeType").GetString()));
        var done = await OutcomeAsync(id);
        Assert.Equal("Accepted", done.GetProperty("status").GetString());
        var results = done.GetProperty("variableResults");
        Assert.Equal(("HeartbeatInterval", "Accepted", "300"), (results[0].GetProperty("variable").GetString(), results[0].GetProperty("status").GetString(), results[0].GetProperty("value").GetString()));
        Assert.Equal(("Nope", "UnknownVariable"), (results[1].GetProperty("variable").GetString(), results[1].GetProperty("status").GetString()));
    }

    [Fact]
    public async Task SetVariables_that_a_charger_partly_refuses_is_rejected_with_each_variables_status()
    {
        var script = new ChargerScript
        {
            Answer = call => Reply("""
                {"setVariableResult":[
                  {"attributeStatus":"Accepted","component":{"name":"OCPPCommCtrlr"},"variable":{"name":"HeartbeatInterval"}},
                  {"attributeStatus":"Rejected","attributeStatusInfo":{"reasonCode":"OutOfRange"},"component":{"name":"SampledDataCtrlr"},"variable":{"name":"TxUpdatedInterval"}}]}
                """),
        };
        await using var charger = await ChargerScript.ConnectAsync(_node, "CS-21", OcppVersion.Ocpp21, script);

        var id = await SubmitOkAsync(new
        {
            type = "setVariables",
            chargerId = "CS-21",
            variables = new object[]
            {
                new { component = "OCPPCommCtrlr", variable = "HeartbeatInterval", value = "600" },
                new { component = "SampledDataCtrlr", variable = "TxUpdatedInterval", value = "-1" },
            },
        });

        var sent = (await script.NextAsync("SetVariables")).Payload.GetProperty("setVariableData");
        Assert.Equal(["600", "-1"], sent.EnumerateArray().Select(v => v.GetProperty("attributeValue").GetString()));
        var done = await OutcomeAsync(id);
        Assert.Equal(("Rejected", "Rejected"), (done.GetProperty("status").GetString(), done.GetProperty("response").GetString()));
        Assert.Equal(["Accepted", "Rejected"], done.GetProperty("variableResults").EnumerateArray().Select(v => v.GetProperty("status").GetString()));
        Assert.Equal("OutOfRange", done.GetProperty("variableResults")[1].GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_16_charger_is_read_with_GetConfiguration_and_changed_with_ChangeConfiguration_one_key_at_a_time()
    {
        var script = new ChargerScript
        {
            Answer = call => call.Action switch
            {
                "GetConfiguration" => Reply("""{"configurationKey":[{"key":"HeartbeatInterval","readonly":false,"value":"300"}],"unknownKey":["Nonsense"]}"""),
                "ChangeConfiguration" => Task.FromResult<RpcReply?>(ChargerScript.Status("RebootRequired")),
                _ => Task.FromResult<RpcReply?>(null),
            },
        };
        await using var charger = await ChargerScript.ConnectAsync(_node, "CP-16", OcppVersion.Ocpp16, script);

        var read = await SubmitOkAsync(new { type = "getConfiguration", chargerId = "CP-16", variables = new object[] { new { variable = "HeartbeatInterval" }, new { variable = "Nonsense" } } });
        Assert.Equal(["HeartbeatInterval", "Nonsense"], (await script.NextAsync("GetConfiguration")).Payload.GetProperty("key").EnumerateArray().Select(k => k.GetString()));
        var got = await OutcomeAsync(read);
        Assert.Equal([("HeartbeatInterval", "Accepted", "300", false), ("Nonsense", "UnknownKey", null, (bool?)null)],
            got.GetProperty("variableResults").EnumerateArray().Select(v => (v.GetProperty("variable").GetString(), v.GetProperty("status").GetString(),
                v.TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null,
                v.TryGetProperty("readOnly", out var ro) && ro.ValueKind != JsonValueKind.Null ? ro.GetBoolean() : (bool?)null)));

        using var two = await SubmitAsync(new { type = "changeConfiguration", chargerId = "CP-16", variables = new object[] { new { variable = "A", value = "1" }, new { variable = "B", value = "2" } } });
        Assert.Equal(HttpStatusCode.Conflict, two.StatusCode);
        Assert.Contains("one configuration key", await two.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var change = await SubmitOkAsync(new { type = "changeConfiguration", chargerId = "CP-16", variables = new object[] { new { variable = "HeartbeatInterval", value = "600" } } });
        var sent = (await script.NextAsync("ChangeConfiguration")).Payload;
        Assert.Equal(("HeartbeatInterval", "600"), (sent.GetProperty("key").GetString(), sent.GetProperty("value").GetString()));
        var changed = await OutcomeAsync(change);
        Assert.Equal(("Accepted", "RebootRequired"), (changed.GetProperty("status").GetString(), changed.GetProperty("response").GetString()));
    }

    [Fact]
    public async Task TriggerMessage_uses_the_versions_own_call_and_a_16_charger_is_asked_for_a_certificate_with_the_extended_trigger()
    {
        var script16 = new ChargerScript();
        var script201 = new ChargerScript();
        await using var cp16 = await ChargerScript.ConnectAsync(_node, "CP-16", OcppVersion.Ocpp16, script16);
        await using var cs201 = await ChargerScript.ConnectAsync(_node, "CS-201", OcppVersion.Ocpp201, script201);

        var status = await SubmitOkAsync(new { type = "triggerMessage", chargerId = "CP-16", connector = 2, requestedMessage = "StatusNotification" });
        var csr = await SubmitOkAsync(new { type = "triggerMessage", chargerId = "CP-16", requestedMessage = "SignCertificate" });
        var tx = await SubmitOkAsync(new { type = "triggerMessage", chargerId = "CS-201", connector = 1, requestedMessage = "TransactionEvent" });
        var nonsense = await SubmitOkAsync(new { type = "triggerMessage", chargerId = "CP-16", requestedMessage = "TransactionEvent" });

        Assert.Equal(("StatusNotification", "2"), ((await script16.NextAsync("TriggerMessage")).Text("requestedMessage"), (await OutcomeAsync(status)).GetProperty("connector").GetRawText()));
        Assert.Equal("SignChargePointCertificate", (await script16.NextAsync("ExtendedTriggerMessage")).Text("requestedMessage"));
        var triggered = (await script201.NextAsync("TriggerMessage")).Payload;
        Assert.Equal(("TransactionEvent", 1), (triggered.GetProperty("requestedMessage").GetString(), triggered.GetProperty("evse").GetProperty("id").GetInt32()));
        Assert.Equal(["Accepted", "Accepted"], new[] { await OutcomeAsync(csr), await OutcomeAsync(tx) }.Select(c => c.GetProperty("status").GetString()));
        var failed = await OutcomeAsync(nonsense);
        Assert.Equal("Failed", failed.GetProperty("status").GetString());
        Assert.Contains("cannot trigger 'TransactionEvent'", failed.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_firmware_file_uploaded_to_the_node_is_fetched_by_the_charger_over_a_signed_link_that_expires_and_its_status_follows_the_command()
    {
        var image = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("FIRMWARE-2.4.1 ", 5000)));
        using (var upload = await _node.Http.PutAsync("/api/v1/firmware/cs201-2.4.1.bin", new ByteArrayContent(image)))
        {
            Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
            Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(image)), (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("sha256").GetString());
        }

        var script = new ChargerScript { Answer = _ => Reply("""{"status":"Accepted"}""") };
        await using var charger = await ChargerScript.ConnectAsync(_node, "CS-201", OcppVersion.Ocpp201, script);
        var id = await SubmitOkAsync(new { type = "updateFirmware", chargerId = "CS-201", firmware = new { fileName = "cs201-2.4.1.bin", retries = 3, retryIntervalSeconds = 60 } });

        var request = (await script.NextAsync("UpdateFirmware")).Payload;
        var location = new Uri(request.GetProperty("firmware").GetProperty("location").GetString()!);
        var requestId = request.GetProperty("requestId").GetInt32();
        Assert.Equal((_node.BaseUri.Authority, "/files/firmware/cs201-2.4.1.bin", 3, 60), (location.Authority, location.AbsolutePath, request.GetProperty("retries").GetInt32(), request.GetProperty("retryInterval").GetInt32()));
        var accepted = await OutcomeAsync(id);
        Assert.Equal(("Accepted", requestId), (accepted.GetProperty("status").GetString(), accepted.GetProperty("requestId").GetInt32()));
        Assert.False(accepted.GetProperty("firmware").TryGetProperty("location", out var shown) && shown.ValueKind == JsonValueKind.String, "The signed link is not shown back.");

        // The charger fetches it with no API key, only the link; another file, a changed expiry or a stranger's signature do not verify.
        using var anonymous = new HttpClient();
        Assert.Equal(image, await anonymous.GetByteArrayAsync(location));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(anonymous, location.AbsoluteUri.Replace("cs201-2.4.1.bin", "other.bin", StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(anonymous, location.AbsoluteUri.Replace("expires=", "expires=9", StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(anonymous, location.GetLeftPart(UriPartial.Path)));

        await charger.CallAsync(V21.V21Actions.FirmwareStatusNotification, new V21.FirmwareStatusNotificationRequest { Status = V21.FirmwareStatusEnumType.Downloading, RequestId = requestId });
        await charger.CallAsync(V21.V21Actions.FirmwareStatusNotification, new V21.FirmwareStatusNotificationRequest { Status = V21.FirmwareStatusEnumType.Installed, RequestId = requestId });
        var installed = await _node.EventuallyAsync(() => CommandAsync(id), c => c.TryGetProperty("transferStatus", out var s) && s.GetString() == "Installed");
        Assert.Equal(requestId, installed.GetProperty("requestId").GetInt32());
        using var events = JsonDocument.Parse(await _node.Http.GetStringAsync("/api/v1/events?site=garage&type=charger.firmware_status&limit=10"));
        Assert.Equal([("Downloading", id), ("Installed", id)], events.RootElement.GetProperty("items").EnumerateArray()
            .Select(e => (e.GetProperty("data").GetProperty("status").GetString(), e.GetProperty("data").GetProperty("commandId").GetString())));

        // A day later the link has expired.
        _time.Advance(TimeSpan.FromHours(25));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(anonymous, location.AbsoluteUri));
    }

    [Fact]
    public async Task A_16_charger_gets_UpdateFirmware_with_a_location_given_and_its_status_without_a_request_id_goes_to_its_latest_update()
    {
        var script = new ChargerScript { Answer = call => Reply("{}") };
        await using var charger = await ChargerScript.ConnectAsync(_node, "CP-16", OcppVersion.Ocpp16, script);
        var retrieve = _time.GetUtcNow().AddHours(2);
        var id = await SubmitOkAsync(new { type = "updateFirmware", chargerId = "CP-16", firmware = new { location = "ftp://firmware.example.com/cp16/7.2.bin", retrieveAt = retrieve } });

        var request = (await script.NextAsync("UpdateFirmware")).Payload;
        Assert.Equal(("ftp://firmware.example.com/cp16/7.2.bin", retrieve), (request.GetProperty("location").GetString(), request.GetProperty("retrieveDate").GetDateTimeOffset()));
        Assert.Equal("Accepted", (await OutcomeAsync(id)).GetProperty("status").GetString());
        await charger.CallAsync(V16.V16Actions.FirmwareStatusNotification, new V16.FirmwareStatusNotificationRequest { Status = V16.FirmwareStatus.DownloadFailed });
        var failed = await _node.EventuallyAsync(() => CommandAsync(id), c => c.TryGetProperty("transferStatus", out var s) && s.ValueKind == JsonValueKind.String);
        Assert.Equal("DownloadFailed", failed.GetProperty("transferStatus").GetString());

        using var noFile = await SubmitAsync(new { type = "updateFirmware", chargerId = "CP-16", firmware = new { fileName = "never-uploaded.bin" } });
        using var both = await SubmitAsync(new { type = "updateFirmware", chargerId = "CP-16", firmware = new { fileName = "a.bin", location = "https://x.example/a.bin" } });
        using var badScheme = await SubmitAsync(new { type = "updateFirmware", chargerId = "CP-16", firmware = new { location = "file:///etc/passwd" } });
        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest), (noFile.StatusCode, both.StatusCode, badScheme.StatusCode));
    }

    [Fact]
    public async Task A_201_charger_uploads_its_log_to_the_node_as_a_form_and_the_operator_downloads_it()
    {
        var script = new ChargerScript { Answer = _ => Reply("""{"status":"Accepted","filename":"diag-2026.tar.gz"}""") };
        await using var charger = await ChargerScript.ConnectAsync(_node, "CS-201", OcppVersion.Ocpp201, script);
        var oldest = _time.GetUtcNow().AddDays(-2);
        var id = await SubmitOkAsync(new { type = "getLog", chargerId = "CS-201", log = new { logType = "SecurityLog", oldest } });

        var request = (await script.NextAsync("GetLog")).Payload;
        Assert.Equal(("SecurityLog", oldest), (request.GetProperty("logType").GetString(), request.GetProperty("log").GetProperty("oldestTimestamp").GetDateTimeOffset()));
        var location = request.GetProperty("log").GetProperty("remoteLocation").GetString()!;
        var done = await OutcomeAsync(id);
        Assert.Equal(("Accepted", "diag-2026.tar.gz"), (done.GetProperty("status").GetString(), done.GetProperty("fileName").GetString()));

        var log = Encoding.UTF8.GetBytes("2026-03-02T08:00:00Z boot\n2026-03-02T08:01:00Z tamper switch\n");
        using var anonymous = new HttpClient();
        using (var stranger = new MultipartFormDataContent { { new ByteArrayContent(log), "file", "diag.tar.gz" } })
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await anonymous.PostAsync(location.Replace("signature=", "signature=0", StringComparison.Ordinal)[..^1], stranger)).StatusCode);
        }

        using (var form = new MultipartFormDataContent { { new ByteArrayContent(log), "file", "diag-2026.tar.gz" } })
        {
            using var posted = await anonymous.PostAsync(location, form);
            Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
        }

        await charger.CallAsync(V21.V21Actions.LogStatusNotification, new V21.LogStatusNotificationRequest { Status = V21.UploadLogStatusEnumType.Uploaded, RequestId = done.GetProperty("requestId").GetInt32() });
        var uploaded = await _node.EventuallyAsync(() => CommandAsync(id), c => c.TryGetProperty("transferStatus", out var s) && s.GetString() == "Uploaded");
        Assert.Equal(log.Length, uploaded.GetProperty("uploadedBytes").GetInt64());
        Assert.Equal(log, await _node.Http.GetByteArrayAsync($"/api/v1/commands/{id}/log"));
        using var events = JsonDocument.Parse(await _node.Http.GetStringAsync("/api/v1/events?site=garage&type=charger.*&limit=100"));
        Assert.Equal(["charger.log_uploaded", "charger.log_status"], events.RootElement.GetProperty("items").EnumerateArray()
            .Select(e => e.GetProperty("type").GetString()).Where(t => t!.StartsWith("charger.log_", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_16_charger_is_asked_for_diagnostics_with_GetDiagnostics_and_puts_the_file_to_the_link()
    {
        var script = new ChargerScript { Answer = _ => Reply("""{"fileName":"cp16-diag.zip"}""") };
        await using var charger = await ChargerScript.ConnectAsync(_node, "CP-16", OcppVersion.Ocpp16, script);
        var id = await SubmitOkAsync(new { type = "getLog", chargerId = "CP-16" });
        var location = (await script.NextAsync("GetDiagnostics")).Text("location");
        Assert.Equal("cp16-diag.zip", (await OutcomeAsync(id)).GetProperty("fileName").GetString());

        using var anonymous = new HttpClient();
        var path = new Uri(location);
        using (var put = await anonymous.PutAsync(new Uri(path.GetLeftPart(UriPartial.Path) + "/cp16-diag.zip" + path.Query), new ByteArrayContent([1, 2, 3, 4])))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode); // the charger appended its file name to the link: served too
        }

        await charger.CallAsync(V16.V16Actions.DiagnosticsStatusNotification, new V16.DiagnosticsStatusNotificationRequest { Status = V16.DiagnosticsStatus.Uploaded });
        var uploaded = await _node.EventuallyAsync(() => CommandAsync(id), c => c.TryGetProperty("transferStatus", out var s) && s.GetString() == "Uploaded");
        Assert.Equal(4, uploaded.GetProperty("uploadedBytes").GetInt64());
        Assert.Equal([1, 2, 3, 4], await _node.Http.GetByteArrayAsync($"/api/v1/commands/{id}/log"));
    }

    [Fact]
    public async Task The_operator_essentials_need_an_operator_and_a_201_variable_needs_its_component()
    {
        using var missing = await SubmitAsync(new { type = "getVariables", chargerId = "CS-201", variables = new object[] { new { variable = "HeartbeatInterval" } } });
        Assert.Equal(HttpStatusCode.Conflict, missing.StatusCode);
        Assert.Contains("component", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var noValue = await SubmitAsync(new { type = "setVariables", chargerId = "CS-201", variables = new object[] { new { component = "X", variable = "Y" } } });
        Assert.Equal(HttpStatusCode.BadRequest, noValue.StatusCode);

        using var integratorKey = await _node.Http.PostAsJsonAsync("/api/v1/api-keys", new { name = "billing", role = "integrator" });
        using var integrator = new HttpClient { BaseAddress = _node.BaseUri };
        integrator.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await integratorKey.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString());
        foreach (var body in new object[]
        {
            new { type = "triggerMessage", chargerId = "CS-201", requestedMessage = "Heartbeat" },
            new { type = "getLog", chargerId = "CS-201" },
        })
        {
            using var refused = await integrator.PostAsJsonAsync("/api/v1/commands", body);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        using var upload = await integrator.PutAsync("/api/v1/firmware/x.bin", new ByteArrayContent([1]));
        Assert.Equal(HttpStatusCode.Forbidden, upload.StatusCode);
    }

    private static Task<RpcReply?> Reply(string json) => Task.FromResult<RpcReply?>(RpcReply.Result(JsonDocument.Parse(json).RootElement.Clone()));

    private static async Task<HttpStatusCode> StatusAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        return response.StatusCode;
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient client, Uri url) => await StatusAsync(client, url.AbsoluteUri);

    private Task<HttpResponseMessage> SubmitAsync(object body) => _node.Http.PostAsJsonAsync("/api/v1/commands", body);

    private async Task<string> SubmitOkAsync(object body)
    {
        using var response = await SubmitAsync(body);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private async Task<JsonElement> CommandAsync(string id)
    {
        using var document = JsonDocument.Parse(await _node.Http.GetStringAsync($"/api/v1/commands/{id}"));
        return document.RootElement.Clone();
    }

    private Task<JsonElement> OutcomeAsync(string id) =>
        _node.EventuallyAsync(() => CommandAsync(id), c => c.GetProperty("status").GetString() is not ("Pending" or "Sent"));
}
