using ParkCharge.Core.Charging;
using ParkCharge.Core.Engine;
using ParkCharge.Core.Plates;

namespace ParkCharge.Core.Commands;

/// <summary>
/// Commands to chargers as the engine keeps them: a request becomes a pending command at once; the
/// dispatcher at the edge sends it when the charger is connected and reports how the CALL ended.
/// A charger that stays offline past the command's wait, or a connection that closes before the
/// answer, ends it Offline. Everything here is decided on observations, so a replay gives every
/// command and outcome again.
/// </summary>
internal static class CommandRules
{
    /// <summary>How long a command made by an automation rule waits for an offline charger.</summary>
    public static readonly TimeSpan AutomationWait = TimeSpan.FromMinutes(5);

    /// <summary>OCPP 1.6 idTag is CiString20; the idToken is at most 36 characters in 2.0.1, 255 in 2.1.</summary>
    private const int MaxToken16 = 20;
    private const int MaxToken201 = 36;
    private const int MaxToken21 = 255;

    public static Reply Submit(SiteChangeSet work, CommandSubmitted p)
    {
        var request = p.Request;
        if (request.OfflineWait < TimeSpan.Zero)
        {
            return new Refused("The offline wait must not be negative.");
        }

        ChargingSession? session = null;
        ChargerId charger;
        if (request.Type == CommandType.RemoteStop)
        {
            if (request.ChargingSessionId is not { } sessionId || work.Session(sessionId) is not { } found)
            {
                return new Refused($"No charging session '{request.ChargingSessionId}' at this site.");
            }

            if (found.Status != ChargingSessionStatus.Active)
            {
                return new Refused($"Charging session '{found.Id}' has already stopped.");
            }

            session = found;
            charger = found.Charger;
        }
        else if (request.Charger is { } named)
        {
            charger = named;
        }
        else
        {
            return new Refused("The command names no charger.");
        }

        if (work.Charger(charger) is not { } state)
        {
            return new Refused($"Charger '{charger}' is not registered at this site.");
        }

        var outlet = request.Outlet is > 0 ? request.Outlet : null;
        var command = new ChargerCommand
        {
            Id = work.NewId("command"),
            Charger = charger,
            Type = request.Type,
            Origin = CommandOrigin.Api,
            RequestedBy = p.By,
            RequestedAt = work.EventTime,
            ExpiresAt = work.EventTime + request.OfflineWait,
            RequestSeq = work.Seq,
            Outlet = outlet,
            Reason = request.Reason,
        };

        switch (request.Type)
        {
            case CommandType.RemoteStart:
                var (started, refusal) = RemoteStart(work, request, state, command);
                if (started is null)
                {
                    return refusal!;
                }

                command = started;
                break;
            case CommandType.RemoteStop:
                command = command with { ChargingSessionId = session!.Id, TransactionId = session.TransactionId, Outlet = OutletOf(session.Connector) };
                break;
            case CommandType.SetChargingLimit:
                if (request.Limit is not { } limit)
                {
                    return new Refused("A charging limit needs a limit (value and unit W or A).");
                }

                if (limit.Value < 0 || limit.Phases is < 1 or > 3)
                {
                    return new Refused("A charging limit is zero or more, with 1 to 3 phases when given.");
                }

                // OCPP 2.0.1 accepts at most one decimal in a limit; 1.6 chargers differ. One decimal suits both.
                var rounded = limit with { Value = Math.Round(limit.Value, 1, MidpointRounding.ToZero) };
                command = command with
                {
                    Profile = outlet is { } o
                        ? new ChargingProfileSpec(ChargingProfiles.ConnectorDefaultId(o), ChargingProfiles.StackLevel, ChargingLimitScope.Connector, rounded, work.EventTime)
                        : new ChargingProfileSpec(ChargingProfiles.ChargerMaximumId, ChargingProfiles.StackLevel, ChargingLimitScope.Charger, rounded, work.EventTime),
                };
                break;
            case CommandType.ClearChargingLimit:
                command = command with { ProfileId = outlet is { } c ? ChargingProfiles.ConnectorDefaultId(c) : ChargingProfiles.ChargerMaximumId };
                break;
            case CommandType.UnlockConnector:
                if (outlet is null)
                {
                    return new Refused("Unlock needs a connector (1.6) or EVSE (2.0.1, 2.1).");
                }

                command = command with { EvseConnector = request.EvseConnector };
                break;
            case CommandType.Reset:
                command = command with { Reset = request.Reset ?? ResetKind.Soft };
                break;
            case CommandType.ChangeAvailability:
                if (request.Availability is not { } availability)
                {
                    return new Refused("A change of availability needs operative or inoperative.");
                }

                command = command with { Availability = availability };
                break;
            case CommandType.TriggerMessage:
                if (string.IsNullOrWhiteSpace(request.RequestedMessage))
                {
                    return new Refused("A trigger needs the message to ask for (requestedMessage: StatusNotification, MeterValues, BootNotification, Heartbeat, ...).");
                }

                command = command with { RequestedMessage = request.RequestedMessage.Trim() };
                break;
            case CommandType.GetVariables or CommandType.SetVariables:
                if (Variables(request, state) is { } problem)
                {
                    return new Refused(problem);
                }

                command = command with { Variables = [.. request.Variables] };
                break;
            case CommandType.UpdateFirmware:
                if (request.Firmware is not { } firmware || (firmware.FileName is null) == (firmware.Location is null))
                {
                    return new Refused("A firmware update names either a file uploaded to the node (fileName) or a location (an ftp, ftps, http or https URL), not both.");
                }

                if (firmware.Retries is < 0 || firmware.RetryInterval < TimeSpan.Zero)
                {
                    return new Refused("Firmware retries and their interval are zero or more.");
                }

                if (firmware.InstallAt < firmware.RetrieveAt)
                {
                    return new Refused("The firmware cannot be installed before it is retrieved.");
                }

                command = command with { Firmware = firmware, RequestId = RequestIdOf(work) };
                break;
            case CommandType.GetLocalListVersion:
                break;
            case CommandType.SendLocalList:
                return new Refused("The node keeps chargers' local lists itself, from the autocharge list and learnt tokens (automation.autocharge.localList in the site file).");
            case CommandType.SetDefaultTariff or CommandType.CostUpdated:
                return new Refused("The node sends chargers the site's tariff and running costs itself, from the bill (settings.chargerCost in the site file).");
            case CommandType.GetTariffs or CommandType.ClearTariffs:
                if (state.Version is not OcppVersion.Ocpp21)
                {
                    return new Refused($"{request.Type} is an OCPP 2.1 call; charger '{charger}' speaks {state.Version?.ToString() ?? "no OCPP version yet"}.");
                }

                break;
            case CommandType.GetLog:
                var log = request.Log ?? new LogRequest();
                if (log.Oldest > log.Latest || log.Retries is < 0 || log.RetryInterval < TimeSpan.Zero)
                {
                    return new Refused("A log's oldest entry comes before its latest; retries and their interval are zero or more.");
                }

                command = command with { Log = log, RequestId = RequestIdOf(work) };
                break;
            default:
                return new Refused($"Unknown command type {request.Type}.");
        }

        Issue(work, command);
        return new CommandQueued(command.Id);
    }

    /// <summary>
    /// What is wrong with the variables of a GetVariables/SetVariables request, if anything: 2.x names a component for each;
    /// 1.6 changes one configuration key per ChangeConfiguration; a set has a value for each.
    /// </summary>
    private static string? Variables(CommandRequest request, ChargerState charger)
    {
        var set = request.Type == CommandType.SetVariables;
        if (request.Variables.Count == 0)
        {
            return $"{(set ? "Setting" : "Reading")} variables needs at least one (variables: component and variable; for 1.6 the configuration key as the variable).";
        }

        if (request.Variables.Any(v => string.IsNullOrWhiteSpace(v.Variable)))
        {
            return "Every variable needs a name (for 1.6: the configuration key).";
        }

        if (request.Variables.FirstOrDefault(v => v.AttributeType is { } a && !AttributeTypes.Contains(a, StringComparer.OrdinalIgnoreCase)) is { } odd)
        {
            return $"'{odd.AttributeType}' is not an attribute type; use one of {string.Join(", ", AttributeTypes)}.";
        }

        if (set && request.Variables.Any(v => v.Value is null))
        {
            return "Every variable to set needs a value.";
        }

        var v16 = charger.Version is OcppVersion.Ocpp16;
        if (!v16 && request.Variables.Any(v => string.IsNullOrWhiteSpace(v.Component)))
        {
            return $"OCPP {(charger.Version is OcppVersion.Ocpp21 ? "2.1" : "2.0.1")} names each variable's component (e.g. OCPPCommCtrlr, TxCtrlr, EVSE).";
        }

        return v16 && set && request.Variables.Count > 1
            ? "OCPP 1.6 changes one configuration key per ChangeConfiguration: send one command per key."
            : null;
    }

    /// <summary>OCPP 2.x's AttributeEnumType.</summary>
    private static readonly string[] AttributeTypes = ["Actual", "Target", "MinSet", "MaxSet"];

    /// <summary>The requestId of a firmware update or log upload: from the request's log position, so a replay gives it again.</summary>
    private static int RequestIdOf(SiteChangeSet work) => (int)(work.Seq % int.MaxValue);

    /// <summary>
    /// A charger's firmware or log status notification: the UpdateFirmware or GetLog command it belongs to (by requestId, or
    /// for a 1.6 charger without one, its latest accepted command of that kind) keeps it, and it is published.
    /// </summary>
    public static Reply TransferStatus(SiteChangeSet work, FileTransferStatusReported p)
    {
        if (work.Charger(p.Charger) is null)
        {
            return new Refused($"Charger '{p.Charger}' is not registered at this site.");
        }

        var type = p.Transfer == FileTransferKind.Firmware ? CommandType.UpdateFirmware : CommandType.GetLog;
        var command = work.Commands()
            .Where(c => c.Charger == p.Charger && c.Type == type && c.Status == CommandStatus.Accepted && (p.RequestId is null || c.RequestId == p.RequestId))
            .MaxBy(c => c.RequestSeq);
        if (command is not null)
        {
            work.Put(command with { TransferStatus = p.Status, TransferStatusAt = work.EventTime });
        }

        work.Publish(p.Transfer == FileTransferKind.Firmware
            ? new ChargerFirmwareStatus(p.Charger, p.Status, p.RequestId, command?.Id) { EventTime = work.EventTime }
            : new ChargerLogStatus(p.Charger, p.Status, p.RequestId, command?.Id) { EventTime = work.EventTime });
        return Acknowledged.Instance;
    }

    /// <summary>The log a GetLog command asked for arrived at the node.</summary>
    public static Reply LogUploaded(SiteChangeSet work, LogUploaded p)
    {
        if (work.Command(p.CommandId) is not { Type: CommandType.GetLog } command)
        {
            return new Refused($"No log upload '{p.CommandId}' at this site.");
        }

        work.Put(command with { UploadedBytes = p.Bytes, FileName = command.FileName is { Length: > 0 } named ? named : p.FileName });
        work.Publish(new ChargerLogUploaded(command.Charger, command.Id, p.FileName, p.Bytes) { EventTime = work.EventTime });
        return Acknowledged.Instance;
    }

    /// <summary>
    /// Records a new command (from the API or an automation rule). A charger that is offline when the
    /// command may not wait ends it Offline at once.
    /// </summary>
    public static void Issue(SiteChangeSet work, ChargerCommand command)
    {
        work.Publish(new CommandRequested(CommandSummary.Of(command)) { EventTime = work.EventTime });
        if (work.Charger(command.Charger)?.Connection is null && command.ExpiresAt <= work.EventTime)
        {
            Finish(work, command, CommandStatus.Offline, null, "the charger is not connected and the command was not to wait");
            return;
        }

        work.Put(command);
    }

    /// <summary>The dispatcher is sending it: only a pending command over the charger's current connection.</summary>
    public static Reply Sent(SiteChangeSet work, CommandSent p)
    {
        if (work.Command(p.CommandId) is not { } command)
        {
            return new Refused($"No open command '{p.CommandId}'.");
        }

        if (command.Status != CommandStatus.Pending)
        {
            return new Refused($"Command '{command.Id}' is {command.Status}, not pending.");
        }

        if (work.Charger(command.Charger)?.Connection?.ConnectionId != p.ConnectionId)
        {
            return new Refused($"Connection '{p.ConnectionId}' is not charger {command.Charger}'s current connection.");
        }

        work.Put(command with { Status = CommandStatus.Sent, SentAt = work.EventTime, ConnectionId = p.ConnectionId });
        return Acknowledged.Instance;
    }

    /// <summary>The CALL ended. An answer for a command no longer waiting for one (it went Offline meanwhile) changes nothing.</summary>
    public static Reply Answered(SiteChangeSet work, CommandAnswered p)
    {
        if (work.Command(p.CommandId) is not { Status: CommandStatus.Sent } command)
        {
            return Acknowledged.Instance;
        }

        if (p.Outcome is CommandStatus.Pending or CommandStatus.Sent or CommandStatus.Superseded)
        {
            return new Refused($"{p.Outcome} is not an outcome of a CALL.");
        }

        var linked = command;
        if (p.TransactionId is { } transaction && work.SessionByTransaction(command.Charger, transaction) is { } started)
        {
            linked = command with { ChargingSessionId = started.Id, TransactionId = transaction };
        }
        else if (p.TransactionId is not null)
        {
            linked = command with { TransactionId = p.TransactionId };
        }

        if (p.Variables is { Count: > 0 } variables)
        {
            linked = linked with { VariableResults = [.. variables] };
        }

        if (p.FileName is not null)
        {
            linked = linked with { FileName = p.FileName };
        }

        if (p.ListVersion is not null)
        {
            linked = linked with { ListVersion = p.ListVersion };
        }

        Finish(work, linked, p.Outcome, p.Response, p.Detail);
        Automation.LocalListRules.Answered(work, work.Command(linked.Id)!);
        return Acknowledged.Instance;
    }

    /// <summary>A charger's connection closed: what was sent over it and not answered will not be.</summary>
    public static void ConnectionLost(SiteChangeSet work, ChargerId charger, string connectionId)
    {
        foreach (var command in work.OpenCommands().Where(c => c.Charger == charger && c.Status == CommandStatus.Sent && c.ConnectionId == connectionId).ToList())
        {
            Finish(work, command, CommandStatus.Offline, null, "the connection closed before the charger answered; it may or may not have acted");
        }
    }

    /// <summary>Pending commands whose wait is over end Offline.</summary>
    public static void Timer(SiteChangeSet work, DateTimeOffset due)
    {
        foreach (var command in work.OpenCommands().Where(c => c.Status == CommandStatus.Pending && c.ExpiresAt <= due).OrderBy(c => c.RequestSeq).ToList())
        {
            var detail = work.Charger(command.Charger)?.Connection is null
                ? $"the charger was not connected within the wait of {command.ExpiresAt - command.RequestedAt}"
                : $"the command was not delivered within the wait of {command.ExpiresAt - command.RequestedAt}";
            Finish(work, command, CommandStatus.Offline, null, detail, at: due);
        }
    }

    /// <summary>When the first pending command's wait ends.</summary>
    public static DateTimeOffset? NextDeadline(CommandState state)
    {
        DateTimeOffset? next = null;
        foreach (var command in state.Open)
        {
            if (command.Status == CommandStatus.Pending && (next is null || command.ExpiresAt < next))
            {
                next = command.ExpiresAt;
            }
        }

        return next;
    }

    /// <summary>An automation rule withdraws a command it made that has not been sent yet (a newer one replaces it, or it no longer applies).</summary>
    public static void Supersede(SiteChangeSet work, ChargerCommand command, string why) =>
        Finish(work, command, CommandStatus.Superseded, null, why);

    /// <summary>
    /// A started session is matched with the remote start that asked for it: 2.0.1 by remoteStartId,
    /// 1.6 by the id token on the same outlet after the request. The command then names the session.
    /// </summary>
    public static void LinkStartedSessions(SiteChangeSet work)
    {
        if (work.ChangedSessions.Count == 0 || !work.UnlinkedRemoteStarts().Any())
        {
            return;
        }

        // Only a session that just became identifiable (new, or its token or remoteStartId just came) is matched.
        foreach (var session in work.ChangedSessions.ToList())
        {
            var before = work.State.FindSession(session.Id);
            if (session.IdToken is null && session.RemoteStartId is null
                || before is not null && before.IdToken == session.IdToken && before.RemoteStartId == session.RemoteStartId)
            {
                continue;
            }

            var command = work.UnlinkedRemoteStarts()
                .Where(c => c.Charger == session.Charger
                    && c.Status is CommandStatus.Sent or CommandStatus.Accepted
                    && (session.RemoteStartId is { } id ? c.RemoteStartId == id : c.IdToken?.Value == session.IdToken?.Value)
                    && (c.Outlet is null || c.Outlet == OutletOf(session.Connector)))
                .OrderByDescending(c => c.RequestSeq)
                .FirstOrDefault();
            if (command is not null)
            {
                work.Put(command with { ChargingSessionId = session.Id, TransactionId = session.TransactionId });
            }
        }
    }

    /// <summary>The outlet number a command names: the 1.6 connector or the 2.0.1 EVSE.</summary>
    public static int OutletOf(ConnectorRef connector) => connector.Evse ?? connector.Connector;

    private static void Finish(SiteChangeSet work, ChargerCommand command, CommandStatus outcome, string? response, string? detail, DateTimeOffset? at = null)
    {
        var finished = command with { Status = outcome, CompletedAt = at ?? work.EventTime, Response = response, Detail = detail };
        work.Put(finished);
        work.Publish(new CommandCompleted(CommandSummary.Of(finished)) { EventTime = finished.CompletedAt!.Value });
    }

    /// <summary>The token a remote start uses: the one given, or the one linked to the vehicle's plate, or the site's autocharge token.</summary>
    private static (ChargerCommand? Command, Refused? Refusal) RemoteStart(SiteChangeSet work, CommandRequest request, ChargerState charger, ChargerCommand command)
    {
        string? plate = null;
        string? parkingSessionId = null;
        if (request.ParkingSessionId is { } parkingId)
        {
            if (work.ParkingSession(parkingId) is not { IsOpen: true } parking)
            {
                return (null, new Refused($"No open parking session '{parkingId}' at this site."));
            }

            plate = parking.Plate;
            parkingSessionId = parking.Id;
        }
        else if (request.Plate is { } raw)
        {
            var text = PlateText.Of(raw);
            if (text.IsUnreadable)
            {
                return (null, new Refused("The plate has no letters or digits."));
            }

            plate = text.Normalized;
            parkingSessionId = work.OpenParkingSessions().Where(s => s.Plate == plate).OrderByDescending(s => s.EnteredAt).FirstOrDefault()?.Id;
        }

        var autocharge = work.Configuration?.Automation.Autocharge;
        IdToken? token;
        IdTokenSource source;
        if (request.IdToken is { } given)
        {
            (token, source) = (given, IdTokenSource.Given);
        }
        else if (plate is null)
        {
            return (null, new Refused("A remote start needs an id token, a plate or a parking session."));
        }
        else if (autocharge?.Plates.FirstOrDefault(e => e.Plate == plate)?.IdToken is { } own)
        {
            (token, source) = (new IdToken(own, "Central"), IdTokenSource.Plate);
        }
        else if (work.TokenOfPlate(plate) is { } learned && learned != autocharge?.IdToken)
        {
            (token, source) = (new IdToken(learned), IdTokenSource.Learned);
        }
        else if (autocharge?.IdToken is { } site)
        {
            (token, source) = (new IdToken(site, "Central"), IdTokenSource.Site);
        }
        else
        {
            return (null, new Refused($"No id token is linked to plate {plate} and the site has no autocharge token: give an idToken."));
        }

        var max = charger.Version switch
        {
            OcppVersion.Ocpp201 => MaxToken201,
            OcppVersion.Ocpp21 => MaxToken21,
            _ => MaxToken16,
        };
        if (token.Value.Length is 0 || token.Value.Length > max)
        {
            return (null, new Refused($"An id token is 1 to {max} characters for this charger."));
        }

        return (command with
        {
            IdToken = token,
            TokenSource = source,
            Plate = plate,
            ParkingSessionId = parkingSessionId,
            RemoteStartId = RemoteStartId(command.RequestSeq),
        }, null);
    }

    /// <summary>2.0.1 remoteStartId: from the request's log position, so that it is unique at the site and the same on replay.</summary>
    public static int RemoteStartId(long seq) => (int)(seq % (int.MaxValue - 1)) + 1;
}
