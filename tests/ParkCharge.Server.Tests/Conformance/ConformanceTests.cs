using System.Net.Http.Json;
using System.Text.Json;

using Microsoft.Extensions.DependencyInjection;

using ParkCharge.Core.Charging;
using ParkCharge.Ocpp.Rpc;
using ParkCharge.Server.Ocpp;
using ParkCharge.Testing;

using V16 = ParkCharge.Ocpp.V16;
using V21 = ParkCharge.Ocpp.V21;

namespace ParkCharge.Server.Tests.Conformance;

public sealed class SqliteConformanceTests(PostgresServer postgres) : ConformanceTests(StoreEngine.Sqlite, postgres);

public sealed class PostgresConformanceTests(PostgresServer postgres) : ConformanceTests(StoreEngine.Postgres, postgres);

/// <summary>
/// Chargers written by others: the npm package ocpp-rpc in strict mode validates every message both
/// ways against the official OCPP JSON schemas. A whole session in each version must be visible
/// through the API; every call ParkCharge can send a charger must satisfy the client; bad frames
/// must get the version's error codes, be logged, and leave the connection working. 1.6J, 2.0.1 and 2.1.
/// </summary>
public abstract class ConformanceTests(StoreEngine engine, PostgresServer postgres) : IAsyncLifetime
{
    private const string Password = "conformance-secret-0001";

    private TestNode _node = null!;

    public async ValueTask InitializeAsync() => _node = await TestNode.StartAsync(engine, postgres);

    public async ValueTask DisposeAsync() => await _node.DisposeAsync();

    private string OcppBase => $"ws://{_node.BaseUri.Authority}/ocpp";

    [Fact]
    public async Task A_1_6_charger_completes_a_session_whose_energy_times_and_status_timeline_are_visible_through_the_api()
    {
        await _node.RegisterChargerAsync("CP-16", Password, site: "conformance");
        await using var script = NodeScript.Start("session-1.6.js", "--url", OcppBase, "--id", "CP-16", "--password", Password);

        var result = await script.WaitForResultAsync();
        await script.WaitForAsync("READY");

        var session = await SessionAsync("CP-16");
        Assert.Equal("1.6", session.GetProperty("ocppVersion").GetString());
        Assert.Equal(result.GetProperty("transactionId").GetString(), session.GetProperty("transactionId").GetString());
        Assert.Equal("Completed", session.GetProperty("status").GetString());
        Assert.Equal(11_750m, session.GetProperty("energyWh").GetDecimal());
        Assert.Equal(Instant(result, "startedAt"), session.GetProperty("startedAt").GetDateTimeOffset());
        Assert.Equal(Instant(result, "stoppedAt"), session.GetProperty("stoppedAt").GetDateTimeOffset());
        Assert.Equal("EVDisconnected", session.GetProperty("stopReason").GetString());
        Assert.Equal("RFID-16", session.GetProperty("idToken").GetString());
        Assert.Equal(11_040m, session.GetProperty("lastPowerW").GetDecimal());
        Assert.Equal(48m, session.GetProperty("lastSoCPercent").GetDecimal());
        Assert.Empty(session.GetProperty("anomalies").EnumerateArray());
        Assert.Equal(
            ["Available", "Preparing", "Charging", "SuspendedEV", "Finishing", "Available"],
            session.GetProperty("statusTimeline").EnumerateArray().Select(s => s.GetProperty("status").GetString()));
        Assert.Single((await ListSessionsAsync("CP-16")).EnumerateArray()); // the re-sent StartTransaction created nothing

        await AssertMessageLogAsync("CP-16", "StartTransaction", "StopTransaction", "MeterValues", "Heartbeat");
        Assert.Equal(0, await script.EndAsync());
    }

    [Theory]
    [InlineData("ocpp2.0.1", "2.0.1")]
    [InlineData("ocpp2.1", "2.1")]
    public async Task A_2_x_station_completes_a_session_whose_energy_times_and_status_timeline_are_visible_through_the_api(string protocol, string version)
    {
        var id = "CS-" + version.Replace(".", "", StringComparison.Ordinal);
        await _node.RegisterChargerAsync(id, Password, site: "conformance");
        await using var script = NodeScript.Start("session-2.js", "--url", OcppBase, "--id", id, "--password", Password, "--protocol", protocol);

        var result = await script.WaitForResultAsync();
        await script.WaitForAsync("READY");

        var session = await SessionAsync(id);
        Assert.Equal(version, session.GetProperty("ocppVersion").GetString());
        Assert.Equal(result.GetProperty("transactionId").GetString(), session.GetProperty("transactionId").GetString());
        Assert.Equal("Completed", session.GetProperty("status").GetString());
        Assert.Equal(7_000m, session.GetProperty("energyWh").GetDecimal());
        Assert.Equal(Instant(result, "startedAt"), session.GetProperty("startedAt").GetDateTimeOffset());
        Assert.Equal(Instant(result, "stoppedAt"), session.GetProperty("stoppedAt").GetDateTimeOffset());
        Assert.Equal((1, 1), (session.GetProperty("evseId").GetInt32(), session.GetProperty("connectorId").GetInt32()));
        Assert.Equal("RFID-201", session.GetProperty("idToken").GetString());
        Assert.Equal("Idle", session.GetProperty("chargingState").GetString());
        Assert.Equal("EVDisconnected", session.GetProperty("stopReason").GetString());
        Assert.Empty(session.GetProperty("anomalies").EnumerateArray());
        var timeline = session.GetProperty("statusTimeline").EnumerateArray()
            .Select(s => s.GetProperty("chargingState").GetString() ?? s.GetProperty("status").GetString())
            .ToList();
        Assert.Equal(["Available", "EVConnected", "Occupied", "Charging", "Idle", "Available"], timeline);
        Assert.Single((await ListSessionsAsync(id)).EnumerateArray()); // the re-sent Ended event created nothing
        using var charger = JsonDocument.Parse(await _node.Http.GetStringAsync($"/api/v1/chargers/{id}"));
        Assert.Equal((version, "ConformanceCo", "DC-50"), (charger.RootElement.GetProperty("ocppVersion").GetString(), charger.RootElement.GetProperty("vendor").GetString(), charger.RootElement.GetProperty("model").GetString()));

        await AssertMessageLogAsync(id, "TransactionEvent", "NotifyEvent", "MeterValues", "Heartbeat", "SecurityEventNotification");
        Assert.Equal(0, await script.EndAsync());
    }

    [Fact]
    public async Task Every_call_parkcharge_sends_a_1_6_charger_satisfies_an_independent_strict_client()
    {
        await _node.RegisterChargerAsync("CP-16-CALLS", Password);
        await using var script = NodeScript.Start("session-1.6.js", "--url", OcppBase, "--id", "CP-16-CALLS", "--password", Password);
        var result = await script.WaitForResultAsync();
        await script.WaitForAsync("READY");
        var rpc = Connection("CP-16-CALLS");
        var profile = new V16.ChargingProfile
        {
            ChargingProfileId = 7,
            StackLevel = 0,
            ChargingProfilePurpose = V16.ChargingProfilePurposeType.TxDefaultProfile,
            ChargingProfileKind = V16.ChargingProfileKindType.Absolute,
            ChargingSchedule = new V16.ChargingSchedule
            {
                ChargingRateUnit = V16.ChargingRateUnitType.W,
                ChargingSchedulePeriod = [new V16.ChargingSchedulePeriod { StartPeriod = 0, Limit = 7_400.5m }],
            },
        };

        var outcomes = new Dictionary<string, RpcCallStatus>
        {
            ["RemoteStartTransaction"] = (await rpc.CallAsync(V16.V16Actions.RemoteStartTransaction, new V16.RemoteStartTransactionRequest { ConnectorId = 1, IdTag = "RFID-16" })).Status,
            ["RemoteStopTransaction"] = (await rpc.CallAsync(V16.V16Actions.RemoteStopTransaction, new V16.RemoteStopTransactionRequest { TransactionId = int.Parse(result.GetProperty("transactionId").GetString()!, System.Globalization.CultureInfo.InvariantCulture) })).Status,
            ["ChangeAvailability"] = (await rpc.CallAsync(V16.V16Actions.ChangeAvailability, new V16.ChangeAvailabilityRequest { ConnectorId = 1, Type = V16.AvailabilityType.Inoperative })).Status,
            ["Reset"] = (await rpc.CallAsync(V16.V16Actions.Reset, new V16.ResetRequest { Type = V16.ResetType.Soft })).Status,
            ["UnlockConnector"] = (await rpc.CallAsync(V16.V16Actions.UnlockConnector, new V16.UnlockConnectorRequest { ConnectorId = 1 })).Status,
            ["GetConfiguration"] = (await rpc.CallAsync(V16.V16Actions.GetConfiguration, new V16.GetConfigurationRequest { Key = ["HeartbeatInterval"] })).Status,
            ["ChangeConfiguration"] = (await rpc.CallAsync(V16.V16Actions.ChangeConfiguration, new V16.ChangeConfigurationRequest { Key = "HeartbeatInterval", Value = "120" })).Status,
            ["TriggerMessage"] = (await rpc.CallAsync(V16.V16Actions.TriggerMessage, new V16.TriggerMessageRequest { RequestedMessage = V16.MessageTrigger.StatusNotification, ConnectorId = 1 })).Status,
            ["SetChargingProfile"] = (await rpc.CallAsync(V16.V16Actions.SetChargingProfile, new V16.SetChargingProfileRequest { ConnectorId = 1, CsChargingProfiles = profile })).Status,
            ["ClearChargingProfile"] = (await rpc.CallAsync(V16.V16Actions.ClearChargingProfile, new V16.ClearChargingProfileRequest { Id = 7 })).Status,
            ["GetCompositeSchedule"] = (await rpc.CallAsync(V16.V16Actions.GetCompositeSchedule, new V16.GetCompositeScheduleRequest { ConnectorId = 1, Duration = 3600, ChargingRateUnit = V16.ChargingRateUnitType.W })).Status,
            ["DataTransfer"] = (await rpc.CallAsync(V16.V16Actions.DataTransfer, new V16.DataTransferRequest { VendorId = "com.parkcharge", MessageId = "ping", Data = "1" })).Status,
            ["UpdateFirmware"] = (await rpc.CallAsync(V16.V16Actions.UpdateFirmware, new V16.UpdateFirmwareRequest { Location = "https://node.example/files/firmware/cp.bin?expires=1&signature=ab", RetrieveDate = DateTimeOffset.UtcNow, Retries = 2 })).Status,
            ["GetDiagnostics"] = (await rpc.CallAsync(V16.V16Actions.GetDiagnostics, new V16.GetDiagnosticsRequest { Location = "https://node.example/files/logs/c1?expires=1&signature=ab", StartTime = DateTimeOffset.UtcNow.AddDays(-1) })).Status,
            ["GetLog"] = (await rpc.CallAsync(V16.V16Actions.GetLog, new V16.GetLogRequest { LogType = V16.LogEnumType.SecurityLog, RequestId = 3, Log = new V16.LogParametersType { RemoteLocation = "https://node.example/files/logs/c2" } })).Status,
            ["SendLocalList"] = (await rpc.CallAsync(V16.V16Actions.SendLocalList, new V16.SendLocalListRequest
            {
                ListVersion = 2,
                UpdateType = V16.UpdateType.Differential,
                LocalAuthorizationList = [new V16.AuthorizationData { IdTag = "EV-TOKEN-1", IdTagInfo = new V16.IdTagInfo { Status = V16.AuthorizationStatus.Accepted } }, new V16.AuthorizationData { IdTag = "OLD-TOKEN" }],
            })).Status,
            ["GetLocalListVersion"] = (await rpc.CallAsync(V16.V16Actions.GetLocalListVersion, new V16.GetLocalListVersionRequest())).Status,
        };

        Assert.All(outcomes, o => Assert.True(o.Value == RpcCallStatus.Completed, $"{o.Key}: {o.Value}\n{script.Output}"));

        // The script's line about the last call may still be on its way when that call's answer is back.
        Assert.Equal(0, await script.EndAsync());
        foreach (var action in outcomes.Keys)
        {
            Assert.Contains($"CALL {action} ", script.Output, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// ParkCharge writes 2.x calls as 2.1's records on 2.0.1 connections too (checked against 2.0.1's
    /// schema before they leave): the 2.0.1 client must find nothing of 2.1 in them, the 2.1 client all
    /// of 2.1 it is given.
    /// </summary>
    [Theory]
    [InlineData("ocpp2.0.1")]
    [InlineData("ocpp2.1")]
    public async Task Every_call_parkcharge_sends_a_2_x_station_satisfies_an_independent_strict_client(string protocol)
    {
        var v21 = protocol == "ocpp2.1";
        var id = "CS-CALLS-" + protocol["ocpp".Length..].Replace(".", "", StringComparison.Ordinal);
        await _node.RegisterChargerAsync(id, Password);
        await using var script = NodeScript.Start("session-2.js", "--url", OcppBase, "--id", id, "--password", Password, "--protocol", protocol);
        var result = await script.WaitForResultAsync();
        await script.WaitForAsync("READY");
        var rpc = Connection(id);
        var component = new V21.ComponentType { Name = "OCPPCommCtrlr" };
        var variable = new V21.VariableType { Name = "HeartbeatInterval" };
        var profile = new V21.ChargingProfileType
        {
            Id = 9,
            StackLevel = 0,
            ChargingProfilePurpose = V21.ChargingProfilePurposeEnumType.TxDefaultProfile,
            ChargingProfileKind = V21.ChargingProfileKindEnumType.Absolute,
            ChargingSchedule =
            [
                new V21.ChargingScheduleType
                {
                    Id = 1,
                    StartSchedule = DateTimeOffset.UtcNow,
                    ChargingRateUnit = V21.ChargingRateUnitEnumType.A,
                    ChargingSchedulePeriod = [new V21.ChargingSchedulePeriodType { StartPeriod = 0, Limit = 16, LimitL2 = v21 ? 16 : null, LimitL3 = v21 ? 10 : null }],
                },
            ],
        };
        var token = v21 ? new V21.IdTokenType { IdToken = "WVWZZZ1JZXW000001", Type = "VIN" } : new V21.IdTokenType { IdToken = "RFID-201", Type = "ISO14443" };

        var outcomes = new Dictionary<string, RpcCallStatus>
        {
            ["RequestStartTransaction"] = (await rpc.CallAsync(V21.V21Actions.RequestStartTransaction, new V21.RequestStartTransactionRequest { EvseId = 1, RemoteStartId = 42, IdToken = token })).Status,
            ["RequestStopTransaction"] = (await rpc.CallAsync(V21.V21Actions.RequestStopTransaction, new V21.RequestStopTransactionRequest { TransactionId = result.GetProperty("transactionId").GetString()! })).Status,
            ["ChangeAvailability"] = (await rpc.CallAsync(V21.V21Actions.ChangeAvailability, new V21.ChangeAvailabilityRequest { OperationalStatus = V21.OperationalStatusEnumType.Inoperative, Evse = new V21.EVSEType { Id = 1 } })).Status,
            ["Reset"] = (await rpc.CallAsync(V21.V21Actions.Reset, new V21.ResetRequest { Type = v21 ? V21.ResetEnumType.ImmediateAndResume : V21.ResetEnumType.OnIdle })).Status,
            ["UnlockConnector"] = (await rpc.CallAsync(V21.V21Actions.UnlockConnector, new V21.UnlockConnectorRequest { EvseId = 1, ConnectorId = 1 })).Status,
            ["TriggerMessage"] = (await rpc.CallAsync(V21.V21Actions.TriggerMessage, new V21.TriggerMessageRequest { RequestedMessage = V21.MessageTriggerEnumType.SignChargingStationCertificate })).Status,
            ["GetVariables"] = (await rpc.CallAsync(V21.V21Actions.GetVariables, new V21.GetVariablesRequest { GetVariableData = [new V21.GetVariableDataType { Component = component, Variable = variable }] })).Status,
            ["SetVariables"] = (await rpc.CallAsync(V21.V21Actions.SetVariables, new V21.SetVariablesRequest { SetVariableData = [new V21.SetVariableDataType { Component = component, Variable = variable, AttributeValue = "120" }] })).Status,
            ["SetChargingProfile"] = (await rpc.CallAsync(V21.V21Actions.SetChargingProfile, new V21.SetChargingProfileRequest { EvseId = 1, ChargingProfile = profile })).Status,
            ["ClearChargingProfile"] = (await rpc.CallAsync(V21.V21Actions.ClearChargingProfile, new V21.ClearChargingProfileRequest { ChargingProfileId = 9 })).Status,
            ["GetCompositeSchedule"] = (await rpc.CallAsync(V21.V21Actions.GetCompositeSchedule, new V21.GetCompositeScheduleRequest { EvseId = 1, Duration = 3600, ChargingRateUnit = V21.ChargingRateUnitEnumType.W })).Status,
            ["DataTransfer"] = (await rpc.CallAsync(V21.V21Actions.DataTransfer, new V21.DataTransferRequest { VendorId = "com.parkcharge", MessageId = "ping" })).Status,
        };

        Assert.All(outcomes, o => Assert.True(o.Value == RpcCallStatus.Completed, $"{o.Key}: {o.Value}\n{script.Output}"));

        // The script's line about the last call may still be on its way when that call's answer is back.
        Assert.Equal(0, await script.EndAsync());
        foreach (var action in outcomes.Keys)
        {
            Assert.Contains($"CALL {action} ", script.Output, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("ocpp2.0.1")]
    [InlineData("ocpp2.1")]
    public async Task Commands_through_the_api_reach_a_2_x_station_as_its_own_version_s_calls_and_end_accepted(string protocol)
    {
        var id = "CMD-" + protocol["ocpp".Length..].Replace(".", "", StringComparison.Ordinal);
        await _node.RegisterChargerAsync(id, Password, site: "conformance");
        await using var script = NodeScript.Start("session-2.js", "--url", OcppBase, "--id", id, "--password", Password, "--protocol", protocol);
        await script.WaitForResultAsync();
        await script.WaitForAsync("READY");
        object[] commands =
        [
            new { type = "remoteStart", chargerId = id, connector = 1, idToken = "APP-7", idTokenType = "emaid" },
            new { type = "setChargingLimit", chargerId = id, connector = 1, limit = 7400, unit = "W" },
            new { type = "setChargingLimit", chargerId = id, limit = 32, unit = "A", phases = 3 },
            new { type = "clearChargingLimit", chargerId = id, connector = 1 },
            new { type = "unlockConnector", chargerId = id, connector = 1 },
            new { type = "changeAvailability", chargerId = id, connector = 1, availability = "inoperative" },
            new { type = "reset", chargerId = id, resetType = "hard" },
            new { type = "triggerMessage", chargerId = id, connector = 1, requestedMessage = "StatusNotification" },
            new { type = "getVariables", chargerId = id, variables = new object[] { new { component = "OCPPCommCtrlr", variable = "HeartbeatInterval" }, new { component = "EVSE", evse = 1, variable = "AvailabilityState" } } },
            new { type = "setVariables", chargerId = id, variables = new object[] { new { component = "TxCtrlr", variable = "TxStartPoint", value = "ParkingBayOccupancy", attributeType = "Actual" } } },
            new { type = "updateFirmware", chargerId = id, firmware = new { location = "https://firmware.example.com/cs-2.4.1.bin", retries = 2, retryIntervalSeconds = 60 } },
            new { type = "getLog", chargerId = id, log = new { logType = "SecurityLog", oldest = DateTimeOffset.UtcNow.AddDays(-1) } },
            new { type = "getLocalListVersion", chargerId = id },
        ];

        foreach (var command in commands)
        {
            using var submitted = await _node.Http.PostAsJsonAsync("/api/v1/commands", command, TestContext.Current.CancellationToken);
            Assert.Equal(System.Net.HttpStatusCode.Accepted, submitted.StatusCode);
            var commandId = (await submitted.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("id").GetString();
            var done = await CommandOutcomeAsync(commandId!);
            Assert.True(done.GetProperty("status").GetString() == "Accepted", $"{done}\n{script.Output}");
        }

        foreach (var action in new[] { "RequestStartTransaction", "SetChargingProfile", "ClearChargingProfile", "UnlockConnector", "ChangeAvailability", "Reset",
            "TriggerMessage", "GetVariables", "SetVariables", "UpdateFirmware", "GetLog", "GetLocalListVersion" })
        {
            Assert.Contains($"CALL {action} ", script.Output, StringComparison.Ordinal);
        }

        Assert.Contains("\"type\":\"eMAID\"", script.Output, StringComparison.Ordinal);
        Assert.Equal(0, await script.EndAsync());
    }

    [Theory]
    [InlineData("ocpp2.0.1")]
    [InlineData("ocpp2.1")]
    public async Task A_2_x_station_s_signing_request_is_answered_with_a_certificate_chain_the_strict_client_accepts(string protocol)
    {
        var id = "SIGN-" + protocol["ocpp".Length..].Replace(".", "", StringComparison.Ordinal);
        await _node.RegisterChargerAsync(id, Password, site: "conformance");
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var csr = Path.Combine(ParkCharge.Testing.TestStores.NewFolder("csr"), "station.csr.pem");
        await File.WriteAllTextAsync(csr, new System.Security.Cryptography.X509Certificates.CertificateRequest($"CN={id}, O=ConformanceCo", key, System.Security.Cryptography.HashAlgorithmName.SHA256).CreateSigningRequestPem(), TestContext.Current.CancellationToken);
        await using var script = NodeScript.Start("sign-certificate.js", "--url", OcppBase, "--id", id, "--password", Password, "--protocol", protocol, "--csr", csr);

        var signed = await script.WaitForResultAsync();
        Assert.Equal(0, await script.WaitForExitAsync());

        var chain = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection();
        chain.ImportFromPem(signed.GetProperty("certificateChain").GetString());
        Assert.Equal(($"CN={id}, O=ConformanceCo", chain[1].Subject), (chain[0].Subject, chain[0].Issuer));
        Assert.Equal(protocol == "ocpp2.1" ? 41 : null, signed.TryGetProperty("requestId", out var requestId) ? requestId.GetInt32() : (int?)null);
        var delivery = await _node.EventuallyAsync(
            async () =>
            {
                using var certificates = JsonDocument.Parse(await _node.Http.GetStringAsync($"/api/v1/chargers/{id}/certificates"));
                return Assert.Single(certificates.RootElement.EnumerateArray()).GetProperty("delivery").GetString();
            },
            delivered => delivered is not null);

        Assert.Equal("Accepted", delivery);
    }

    [Theory]
    [InlineData("ocpp1.6", "FormationViolation", 6)]
    [InlineData("ocpp2.0.1", "RpcFrameworkError", 6)]
    [InlineData("ocpp2.1", "RpcFrameworkError", 9)]
    public async Task Bad_frames_get_the_versions_error_codes_are_in_the_message_log_and_the_connection_survives(string protocol, string unreadableFrameCode, int refused)
    {
        var id = "BAD-" + protocol.Replace(".", "", StringComparison.Ordinal);
        await _node.RegisterChargerAsync(id, Password);
        await using var script = NodeScript.Start("malformed.js", "--url", OcppBase, "--id", id, "--password", Password, "--protocol", protocol);

        await script.WaitForAsync("SURVIVED");
        Assert.Equal(0, await script.WaitForExitAsync());

        var log = await MessagesAsync(id);
        var unreadable = Assert.Single(log, m => m.GetProperty("direction").GetString() == "in" && m.GetProperty("frame").GetString()!.Contains("bad-json", StringComparison.Ordinal));
        Assert.Equal(unreadableFrameCode, unreadable.GetProperty("errorCode").GetString());
        var answers = log.Where(m => m.GetProperty("direction").GetString() == "out" && m.GetProperty("messageType").GetInt32() == 4).ToList();
        Assert.Equal(refused, answers.Count);
        if (protocol == "ocpp2.1")
        {
            // Kept although never answered: the SENDs (valid or not) and the station's CALLRESULTERROR.
            Assert.Equal(["s-bad", "s-ok"], log.Where(m => m.GetProperty("messageType").ValueKind == JsonValueKind.Number && m.GetProperty("messageType").GetInt32() == 6).Select(m => m.GetProperty("messageId").GetString()).Order(StringComparer.Ordinal));
            var refusal = Assert.Single(log, m => m.GetProperty("messageType").ValueKind == JsonValueKind.Number && m.GetProperty("messageType").GetInt32() == 5);
            Assert.Equal(("in", "r-1", "FormatViolation"), (refusal.GetProperty("direction").GetString(), refusal.GetProperty("messageId").GetString(), refusal.GetProperty("errorCode").GetString()));
        }
        Assert.Contains(log, m => m.GetProperty("direction").GetString() == "out" && m.GetProperty("action").GetString() == "Heartbeat" && m.GetProperty("messageType").GetInt32() == 3);
    }

    private RpcConnection Connection(string charger) =>
        _node.App.Services.GetRequiredService<ChargerConnections>().Find(new ChargerId(charger))?.Rpc
        ?? throw new InvalidOperationException($"{charger} is not connected.");

    private async Task<JsonElement> CommandOutcomeAsync(string id)
    {
        var command = await _node.EventuallyAsync(
            async () =>
            {
                using var document = JsonDocument.Parse(await _node.Http.GetStringAsync($"/api/v1/commands/{id}"));
                return document.RootElement.Clone();
            },
            c => c.GetProperty("status").GetString() is not ("Pending" or "Sent"));
        return command.GetProperty("status").GetString() is not ("Pending" or "Sent") ? command : throw new TimeoutException($"Command {id} has no outcome.");
    }

    private static DateTimeOffset Instant(JsonElement result, string name) => DateTimeOffset.Parse(result.GetProperty(name).GetString()!, System.Globalization.CultureInfo.InvariantCulture);

    private async Task<JsonElement> ListSessionsAsync(string charger)
    {
        using var page = JsonDocument.Parse(await _node.Http.GetStringAsync($"/api/v1/charging-sessions?chargerId={charger}"));
        return page.RootElement.GetProperty("items").Clone();
    }

    private async Task<JsonElement> SessionAsync(string charger)
    {
        var id = (await ListSessionsAsync(charger)).EnumerateArray().First().GetProperty("id").GetString();
        using var session = JsonDocument.Parse(await _node.Http.GetStringAsync($"/api/v1/charging-sessions/{id}"));
        return session.RootElement.Clone();
    }

    private async Task<List<JsonElement>> MessagesAsync(string charger)
    {
        await _node.App.Services.GetRequiredService<ParkCharge.Storage.Store>().Writer.FlushAsync();
        using var page = JsonDocument.Parse(await _node.Http.GetStringAsync($"/api/v1/chargers/{charger}/messages?limit=1000"));
        return [.. page.RootElement.GetProperty("items").EnumerateArray().Select(m => m.Clone())];
    }

    /// <summary>Every inbound CALL of these actions is in the log, each answered by an outbound CALLRESULT.</summary>
    private async Task AssertMessageLogAsync(string charger, params string[] actions)
    {
        var log = await MessagesAsync(charger);
        foreach (var action in actions)
        {
            var calls = log.Where(m => m.GetProperty("direction").GetString() == "in" && m.GetProperty("action").GetString() == action && m.GetProperty("messageType").GetInt32() == 2).ToList();
            Assert.NotEmpty(calls);
            foreach (var call in calls)
            {
                var id = call.GetProperty("messageId").GetString();
                Assert.Contains(log, m => m.GetProperty("direction").GetString() == "out" && m.GetProperty("messageId").GetString() == id && m.GetProperty("messageType").GetInt32() == 3);
            }
        }
    }
}
