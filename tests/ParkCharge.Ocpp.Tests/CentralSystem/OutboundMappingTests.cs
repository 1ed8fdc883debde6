using System.Text.Json;

using ParkCharge.Core.Charging;
using ParkCharge.Core.Commands;
using ParkCharge.Ocpp.CentralSystem;
using ParkCharge.Ocpp.Tests.Rpc;

namespace ParkCharge.Ocpp.Tests.CentralSystem;

/// <summary>How commands become the CALLs of each version, and what a command that cannot be one gets instead.</summary>
public sealed class OutboundMappingTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    public static TheoryData<OcppVersion> Versions => [OcppVersion.Ocpp16, OcppVersion.Ocpp201, OcppVersion.Ocpp21];

    [Theory]
    [InlineData("7a1f3c0e-9b8d-4e57-8c1a-2f6b0d9e4c33")]
    [InlineData("17.5")]
    [InlineData("99999999999")]
    [InlineData("")]
    public void A_1_6_remote_stop_for_a_transaction_id_that_is_no_integer_is_refused_with_the_id(string transactionId)
    {
        var refused = Assert.IsType<CommandCallResult.Refused>(CommandCalls.For(OcppVersion.Ocpp16, Command(CommandType.RemoteStop) with { TransactionId = transactionId }));

        Assert.Contains($"'{transactionId}'", refused.Reason, StringComparison.Ordinal);
        Assert.Equal(CommandStatus.Failed, refused.Outcome.Status);
        Assert.StartsWith("the CALL could not be made: ", refused.Outcome.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_2_x_remote_stop_takes_the_charger_s_own_transaction_id_as_it_is()
    {
        var ready = Assert.IsType<CommandCallResult.Ready>(CommandCalls.For(OcppVersion.Ocpp201, Command(CommandType.RemoteStop) with { TransactionId = "7a1f3c0e-9b8d" }));

        Assert.Equal("RequestStopTransaction", ready.Call.Action);
        Assert.Equal("7a1f3c0e-9b8d", Assert.IsType<V21.RequestStopTransactionRequest>(ready.Call.Request).TransactionId);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void A_command_missing_what_its_call_needs_is_refused_by_every_version(OcppVersion version)
    {
        (ChargerCommand Command, string Missing)[] cases =
        [
            (Command(CommandType.RemoteStart) with { RemoteStartId = 5 }, "id token"),
            (Command(CommandType.RemoteStop), "transaction id"),
            (Command(CommandType.SetChargingLimit), "charging profile"),
            (Command(CommandType.SetChargingLimit) with { Profile = Profile(ChargingLimitScope.Transaction, transactionId: null) }, "transaction id"),
            (Command(CommandType.UnlockConnector), version == OcppVersion.Ocpp16 ? "connector" : "EVSE"),
            (Command(CommandType.Reset), "reset kind"),
            (Command(CommandType.ChangeAvailability), "availability"),
        ];

        foreach (var (command, missing) in cases)
        {
            var refused = Assert.IsType<CommandCallResult.Refused>(CommandCalls.For(version, command));
            Assert.Equal($"the {command.Type} command has no {missing}", refused.Reason);
        }
    }

    [Theory]
    [InlineData(OcppVersion.Ocpp201)]
    [InlineData(OcppVersion.Ocpp21)]
    public void A_2_x_remote_start_without_its_remote_start_id_is_refused(OcppVersion version)
    {
        var refused = Assert.IsType<CommandCallResult.Refused>(CommandCalls.For(version, Command(CommandType.RemoteStart) with { IdToken = new IdToken("TAG") }));

        Assert.Equal("the RemoteStart command has no remote start id", refused.Reason);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void A_command_type_the_mapping_does_not_know_is_refused_rather_than_sent_as_something_else(OcppVersion version)
    {
        var refused = Assert.IsType<CommandCallResult.Refused>(CommandCalls.For(version, Command((CommandType)99)));

        Assert.StartsWith("99 has no OCPP", refused.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_1_6_transaction_limit_names_its_integer_transaction_and_a_2_x_one_its_string_id()
    {
        var v16 = Assert.IsType<CommandCallResult.Ready>(CommandCalls.For(OcppVersion.Ocpp16, Command(CommandType.SetChargingLimit) with { Outlet = 2, Profile = Profile(ChargingLimitScope.Transaction, "42") }));
        var v2 = Assert.IsType<CommandCallResult.Ready>(CommandCalls.For(OcppVersion.Ocpp21, Command(CommandType.SetChargingLimit) with { Outlet = 2, Profile = Profile(ChargingLimitScope.Transaction, "tx-42") }));
        var notInteger = Assert.IsType<CommandCallResult.Refused>(CommandCalls.For(OcppVersion.Ocpp16, Command(CommandType.SetChargingLimit) with { Profile = Profile(ChargingLimitScope.Transaction, "tx-42") }));

        var profile16 = Assert.IsType<V16.SetChargingProfileRequest>(v16.Call.Request).CsChargingProfiles;
        Assert.Equal((V16.ChargingProfilePurposeType.TxProfile, 42), (profile16.ChargingProfilePurpose, profile16.TransactionId));
        var profile2 = Assert.IsType<V21.SetChargingProfileRequest>(v2.Call.Request).ChargingProfile;
        Assert.Equal((V21.ChargingProfilePurposeEnumType.TxProfile, "tx-42"), (profile2.ChargingProfilePurpose, profile2.TransactionId));
        Assert.Contains("'tx-42'", notInteger.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("iso14443", "ISO14443")]
    [InlineData("eMAID", "eMAID")]
    [InlineData("plate", "Central")]
    [InlineData(null, "Central")]
    public void A_2_x_remote_start_spells_a_known_token_type_as_the_schema_does_and_any_other_as_Central(string? given, string sent)
    {
        var ready = Assert.IsType<CommandCallResult.Ready>(CommandCalls.For(OcppVersion.Ocpp201, Command(CommandType.RemoteStart) with { IdToken = new IdToken("TAG", given), RemoteStartId = 3 }));

        Assert.Equal(sent, Assert.IsType<V21.RequestStartTransactionRequest>(ready.Call.Request).IdToken.Type);
    }

    [Theory]
    [InlineData(OcppVersion.Ocpp16, """{"status":"Accepted"}""", CommandStatus.Accepted, "Accepted", null)]
    [InlineData(OcppVersion.Ocpp16, """{"status":"Unknown"}""", CommandStatus.Rejected, "Unknown", "the charger has no such profile")]
    [InlineData(OcppVersion.Ocpp201, """{"status":"Unknown","statusInfo":{"reasonCode":"NoProfile","additionalInfo":"none set"}}""", CommandStatus.Rejected, "Unknown", "NoProfile: none set")]
    [InlineData(OcppVersion.Ocpp21, """{"status":"Unknown"}""", CommandStatus.Rejected, "Unknown", "the charger has no such profile")]
    public async Task A_clear_sent_over_a_real_connection_reads_the_charger_s_answer(OcppVersion version, string answer, CommandStatus status, string response, string? detail)
    {
        await using var test = await ConnectionUnderTest.StartAsync(version);
        var ready = Assert.IsType<CommandCallResult.Ready>(CommandCalls.For(version, Command(CommandType.ClearChargingLimit) with { ProfileId = ChargingProfiles.ChargerMaximumId }));

        var sending = ready.Call.SendAsync(test.Connection, TestContext.Current.CancellationToken);
        var call = await test.Peer.ReceiveJsonAsync();
        await test.Peer.SendAsync($"[3,{JsonSerializer.Serialize(call[1].GetString())},{answer}]");
        var outcome = await sending;

        Assert.Equal("ClearChargingProfile", call[2].GetString());
        Assert.Equal(ChargingProfiles.ChargerMaximumId, call[3].GetProperty(version == OcppVersion.Ocpp16 ? "id" : "chargingProfileId").GetInt32());
        Assert.Equal((status, response, detail), (outcome.Status, outcome.Response, outcome.Detail));
    }

    [Fact]
    public async Task A_CALLERROR_ends_the_command_Rejected_with_the_charger_s_code()
    {
        await using var test = await ConnectionUnderTest.StartAsync(OcppVersion.Ocpp16);
        var ready = Assert.IsType<CommandCallResult.Ready>(CommandCalls.For(OcppVersion.Ocpp16, Command(CommandType.Reset) with { Reset = ResetKind.Hard }));

        var sending = ready.Call.SendAsync(test.Connection, TestContext.Current.CancellationToken);
        var call = await test.Peer.ReceiveJsonAsync();
        await test.Peer.SendAsync($"[4,{JsonSerializer.Serialize(call[1].GetString())},\"NotSupported\",\"no resets here\",{{}}]");
        var outcome = await sending;

        Assert.Equal("Hard", call[3].GetProperty("type").GetString());
        Assert.Equal((CommandStatus.Rejected, "NotSupported", "CALLERROR NotSupported: no resets here"), (outcome.Status, outcome.Response, outcome.Detail));
    }

    private static ChargerCommand Command(CommandType type) => new()
    {
        Id = "cmd-1",
        Charger = new ChargerId("CP-1"),
        Type = type,
        Origin = CommandOrigin.Api,
        RequestedBy = "test",
        RequestedAt = Now,
        ExpiresAt = Now.AddMinutes(2),
        RequestSeq = 1,
        Status = CommandStatus.Pending,
    };

    private static ChargingProfileSpec Profile(ChargingLimitScope scope, string? transactionId) =>
        new(ChargingProfiles.StackLevel, ChargingProfiles.StackLevel, scope, new ChargingLimit(11_000m, ChargingRateUnit.W), Now, transactionId);
}
