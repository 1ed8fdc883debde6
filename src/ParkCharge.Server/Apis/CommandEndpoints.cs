using System.ComponentModel.DataAnnotations;

using Microsoft.AspNetCore.Http.HttpResults;

using ParkCharge.Core.Charging;
using ParkCharge.Core.Commands;
using ParkCharge.Core.Engine;
using ParkCharge.Core.Sites;
using ParkCharge.Server.Auth;
using ParkCharge.Server.Sites;
using ParkCharge.Storage;
using ParkCharge.Storage.Queries;

namespace ParkCharge.Server.Apis;

/// <summary>
/// A command for a charger. <c>type</c> says which; the other fields are those the type uses.
/// </summary>
/// <param name="Type">remoteStart, remoteStop, setChargingLimit, clearChargingLimit, unlockConnector, reset or changeAvailability.</param>
/// <param name="ChargerId">Every type but remoteStop.</param>
/// <param name="Connector">The OCPP 1.6 connector id or the 2.0.1/2.1 EVSE id (as in the site file's evBays); omitted or 0: the whole charger.</param>
/// <param name="EvseConnector">2.0.1/2.1 unlockConnector: the connector on the EVSE (default 1).</param>
/// <param name="IdToken">remoteStart: the id token to start with.</param>
/// <param name="IdTokenType">remoteStart on 2.0.1/2.1: the token's type (ISO14443, eMAID, Central, ...; default Central).</param>
/// <param name="Plate">remoteStart for a vehicle: the token linked to the plate is used (its own autocharge token, a learnt one, or the site's).</param>
/// <param name="ParkingSessionId">remoteStart for the vehicle of this parking session.</param>
/// <param name="ChargingSessionId">remoteStop: the session to stop.</param>
/// <param name="Limit">setChargingLimit: the limit, in <paramref name="Unit"/>.</param>
/// <param name="Unit">setChargingLimit: W or A.</param>
/// <param name="Phases">setChargingLimit in A: the number of phases (1 to 3).</param>
/// <param name="ResetType">reset: soft (default) or hard.</param>
/// <param name="Availability">changeAvailability: operative or inoperative.</param>
/// <param name="RequestedMessage">triggerMessage: the message the charger is to send now (StatusNotification, MeterValues, BootNotification, Heartbeat, FirmwareStatusNotification, LogStatusNotification, TransactionEvent, SignCertificate, ...).</param>
/// <param name="Variables">getVariables / getConfiguration, setVariables / changeConfiguration: the variables (2.x: component and variable; 1.6: the configuration key as the variable).</param>
/// <param name="Firmware">updateFirmware: a file uploaded to the node (fileName) or a location, when to retrieve and install it, retries.</param>
/// <param name="Log">getLog: which log (DiagnosticsLog, SecurityLog), the period, retries; the charger uploads it to the node.</param>
/// <param name="OfflineWaitSeconds">How long the command waits for an offline charger to connect (0 to 86400, default 120); 0: it ends Offline at once.</param>
/// <param name="Reason">A note kept with the command.</param>
public sealed record SubmitCommandRequest(
    [property: MaxLength(50)] string Type,
    [property: MaxLength(48)] string? ChargerId = null,
    int? Connector = null,
    int? EvseConnector = null,
    [property: MaxLength(36)] string? IdToken = null,
    [property: MaxLength(20)] string? IdTokenType = null,
    [property: MaxLength(32)] string? Plate = null,
    [property: MaxLength(200)] string? ParkingSessionId = null,
    [property: MaxLength(200)] string? ChargingSessionId = null,
    decimal? Limit = null,
    [property: MaxLength(5)] string? Unit = null,
    int? Phases = null,
    [property: MaxLength(10)] string? ResetType = null,
    [property: MaxLength(20)] string? Availability = null,
    int? OfflineWaitSeconds = null,
    string? Reason = null,
    [property: MaxLength(50)] string? RequestedMessage = null,
    [property: MaxLength(100)] IReadOnlyList<VariableBody>? Variables = null,
    FirmwareBody? Firmware = null,
    LogBody? Log = null);

/// <summary>A variable to read or set: 2.x component (with its EVSE, connector, instance) and variable; 1.6: the configuration key as <paramref name="Variable"/>.</summary>
/// <param name="AttributeType">2.x: Actual (default), Target, MinSet or MaxSet.</param>
/// <param name="Value">setVariables / changeConfiguration: the value to set.</param>
public sealed record VariableBody(
    [property: MaxLength(50)] string? Variable,
    [property: MaxLength(50)] string? Component = null,
    [property: MaxLength(50)] string? ComponentInstance = null,
    int? Evse = null,
    int? Connector = null,
    [property: MaxLength(50)] string? VariableInstance = null,
    [property: MaxLength(10)] string? AttributeType = null,
    [property: MaxLength(2500)] string? Value = null);

/// <summary>A firmware update: <paramref name="FileName"/> (a file uploaded with PUT /api/v1/firmware/{fileName}; the charger gets a signed, expiring HTTPS link) or <paramref name="Location"/> (an ftp, ftps, http or https URL).</summary>
/// <param name="RetrieveAt">When the charger fetches it (default: now).</param>
/// <param name="InstallAt">2.x: when it installs it (default: when the charger sees fit).</param>
/// <param name="SigningCertificate">2.x signed firmware: the PEM certificate of the firmware's signer.</param>
/// <param name="Signature">2.x signed firmware: the base64 signature of the file.</param>
public sealed record FirmwareBody(
    [property: MaxLength(200)] string? FileName = null,
    [property: MaxLength(2000)] string? Location = null,
    DateTimeOffset? RetrieveAt = null,
    DateTimeOffset? InstallAt = null,
    int? Retries = null,
    int? RetryIntervalSeconds = null,
    [property: MaxLength(5500)] string? SigningCertificate = null,
    [property: MaxLength(800)] string? Signature = null);

/// <summary>A log upload: <paramref name="LogType"/> DiagnosticsLog (default) or SecurityLog, the oldest and latest entries wanted, retries.</summary>
public sealed record LogBody(
    [property: MaxLength(20)] string? LogType = null,
    DateTimeOffset? Oldest = null,
    DateTimeOffset? Latest = null,
    int? Retries = null,
    int? RetryIntervalSeconds = null);

/// <summary>
/// /api/v1/commands: commands to chargers of every OCPP version. A command is recorded at once
/// (202 with its id and Location) and sent in the background; its outcome is read here and published
/// as <c>command.completed</c>.
/// </summary>
internal static partial class CommandEndpoints
{
    /// <summary>How long a command waits for an offline charger when the request does not say.</summary>
    public static readonly TimeSpan DefaultOfflineWait = TimeSpan.FromMinutes(2);

    private const int MaxOfflineWaitSeconds = 86_400;

    public static RouteGroupBuilder MapCommandEndpoints(this RouteGroupBuilder api)
    {
        var commands = api.MapGroup("/commands").WithTags("Commands");
        commands.MapPost("/", SubmitAsync).RequireIntegration()
            .WithSummary("Send a command to a charger (remote start/stop, charging limit, unlock, reset, availability); 202 with the command, its outcome comes later. Integrators may start, stop and limit charging; unlock, reset and availability need admin or operator");
        commands.MapGet("/", ListAsync).RequireRead().WithSummary("Commands, newest first; filter by site, charger, charging session, status, type and origin");
        commands.MapGet("/{id}", GetAsync).RequireRead().WithSummary("One command and its outcome");
        return api;
    }

    private static async Task<Results<Accepted<CommandView>, ValidationProblem, ProblemHttpResult>> SubmitAsync(
        SubmitCommandRequest body, HttpContext http, Store store, SiteEngines engines, Files.NodeFiles nodeFiles, TimeProvider time, ILoggerFactory loggers, CancellationToken ct)
    {
        var logger = loggers.CreateLogger("ParkCharge.Server.Commands");
        var (request, errors) = Read(body, time.GetUtcNow());
        if (request is null)
        {
            LogInvalid(logger, body.Type, errors.Keys);
            return TypedResults.ValidationProblem(errors, title: "The command is not valid");
        }

        // A parking or billing system may start, stop and limit charging (that is what it integrates
        // for); touching the hardware itself (unlock, reset, availability) stays with operators.
        if (request.Type is CommandType.UnlockConnector or CommandType.Reset or CommandType.ChangeAvailability or CommandType.TriggerMessage
                or CommandType.GetVariables or CommandType.SetVariables or CommandType.UpdateFirmware or CommandType.GetLog or CommandType.GetLocalListVersion
                or CommandType.GetTariffs or CommandType.ClearTariffs
            && http.User.FindFirst(ApiKeyAuthentication.RoleClaim)?.Value is not (ApiRoles.Admin or ApiRoles.Operator))
        {
            var role = http.User.FindFirst(ApiKeyAuthentication.RoleClaim)?.Value;
            LogRoleRefused(logger, request.Type, role);
            return TypedResults.Problem(
                title: "The API key's role does not allow this",
                detail: $"A {body.Type} command needs the role admin or operator; the API key has the role {role}.",
                statusCode: StatusCodes.Status403Forbidden,
                extensions: new Dictionary<string, object?> { ["requiredRoles"] = new[] { ApiRoles.Admin, ApiRoles.Operator }, ["role"] = role });
        }

        if (request.Firmware?.FileName is { } firmwareFile && nodeFiles.Firmware(firmwareFile) is null)
        {
            return TypedResults.Problem(title: "No such firmware file", detail: $"The node has no firmware file '{firmwareFile}': upload it first (PUT /api/v1/firmware/{firmwareFile}).", statusCode: StatusCodes.Status404NotFound);
        }

        SiteId site;
        if (request.Type == CommandType.RemoteStop)
        {
            if (await store.Sessions.GetAsync(request.ChargingSessionId!, ct) is not { } session)
            {
                return TypedResults.Problem(title: "No such charging session", detail: $"No charging session '{request.ChargingSessionId}'.", statusCode: StatusCodes.Status404NotFound);
            }

            site = new SiteId(session.SiteId);
        }
        else if (await store.Chargers.GetCredentialsAsync(request.Charger!.Value, ct) is { } charger)
        {
            site = new SiteId(charger.SiteId);
        }
        else
        {
            return TypedResults.Problem(title: "No such charger", detail: $"No charger '{request.Charger}' is registered.", statusCode: StatusCodes.Status404NotFound);
        }

        var reply = await engines.SubmitAsync(ApiObservations.Create(http, site, new CommandSubmitted(request, ApiObservations.Operator(http.User)), time));
        if (reply is not CommandQueued queued)
        {
            var reason = reply is Refused refused ? refused.Reason : $"unexpected answer {reply}";
            LogRefused(logger, request.Type, reason);
            return TypedResults.Problem(title: "The command was refused", detail: reason, statusCode: StatusCodes.Status409Conflict);
        }

        var view = CommandView.From((await store.Commands.GetAsync(queued.CommandId, ct))!);
        return TypedResults.Accepted($"/api/v1/commands/{queued.CommandId}", view);
    }

    private static async Task<Results<Ok<CommandView>, ProblemHttpResult>> GetAsync(string id, Store store, CancellationToken ct) =>
        await store.Commands.GetAsync(id, ct) is { } command
            ? TypedResults.Ok(CommandView.From(command))
            : TypedResults.Problem(title: "No such command", detail: $"No command '{id}'.", statusCode: StatusCodes.Status404NotFound);

    private static async Task<Results<Ok<Page<CommandView>>, ValidationProblem>> ListAsync(
        string? siteId, string? chargerId, string? chargingSessionId, string? status, string? type, string? origin,
        DateTimeOffset? from, DateTimeOffset? to, int? limit, string? cursor, Store store, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var statuses = Names<CommandStatus>(status, "status", errors);
        var types = Names<CommandType>(type, "type", errors);
        var origins = Names<CommandOrigin>(origin, "origin", errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        try
        {
            return TypedResults.Ok((await store.Commands.ListAsync(new CommandFilter
            {
                SiteId = siteId,
                ChargerId = chargerId,
                ChargingSessionId = chargingSessionId,
                Statuses = statuses,
                Types = types,
                Origins = origins,
                From = from,
                To = to,
                Limit = limit ?? 50,
                Cursor = cursor,
            }, ct)).Map(CommandView.From));
        }
        catch (ArgumentException e)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["cursor"] = [e.Message] });
        }
    }

    /// <summary>A comma-separated filter of enum names, in their canonical spelling.</summary>
    private static string[] Names<T>(string? list, string field, Dictionary<string, string[]> errors)
        where T : struct, Enum
    {
        var names = new List<string>();
        foreach (var item in (list ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (Enum.TryParse<T>(item, ignoreCase: true, out var value) && Enum.IsDefined(value))
            {
                names.Add(value.ToString());
            }
            else
            {
                errors[field] = [$"'{item}' is not one of {string.Join(", ", Enum.GetNames<T>())}."];
            }
        }

        return [.. names];
    }

    /// <summary>The request as the engine takes it, or what is wrong with it (every problem, by field).</summary>
    private static (CommandRequest? Request, Dictionary<string, string[]> Errors) Read(SubmitCommandRequest body, DateTimeOffset now)
    {
        var errors = new Dictionary<string, string[]>();
        void Problem(string field, string message) => errors[field] = [message];

        // 1.6's names for the same commands.
        var named = body.Type?.ToLowerInvariant() switch
        {
            "getconfiguration" => nameof(CommandType.GetVariables),
            "changeconfiguration" => nameof(CommandType.SetVariables),
            _ => body.Type,
        };
        if (!TryParse<CommandType>(named, out var type))
        {
            Problem("type", $"'{body.Type}' is not a command; use one of remoteStart, remoteStop, setChargingLimit, clearChargingLimit, unlockConnector, reset, changeAvailability, triggerMessage, getVariables (getConfiguration), setVariables (changeConfiguration), updateFirmware, getLog.");
            return (null, errors);
        }

        ChargerId? charger = null;
        if (type != CommandType.RemoteStop)
        {
            if (!ChargerId.IsValid(body.ChargerId))
            {
                Problem("chargerId", "A charger id is required: 1 to 48 printable ASCII characters without '/', ':', '?', '#', '%' or spaces.");
            }
            else
            {
                charger = new ChargerId(body.ChargerId);
            }
        }
        else if (string.IsNullOrWhiteSpace(body.ChargingSessionId))
        {
            Problem("chargingSessionId", "A remote stop names the charging session to stop.");
        }

        if (body.Connector is < 0)
        {
            Problem("connector", "A connector (1.6) or EVSE (2.0.1, 2.1) id is 0 or more; 0 or omitted means the whole charger.");
        }

        var wait = body.OfflineWaitSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : DefaultOfflineWait;
        if (body.OfflineWaitSeconds is < 0 or > MaxOfflineWaitSeconds)
        {
            Problem("offlineWaitSeconds", $"The offline wait is 0 to {MaxOfflineWaitSeconds} seconds.");
        }

        IdToken? token = null;
        ChargingLimit? limit = null;
        ResetKind? reset = null;
        Availability? availability = null;
        switch (type)
        {
            case CommandType.RemoteStart:
                if (body.IdToken is { } value)
                {
                    if (value.Length is 0 or > 36)
                    {
                        Problem("idToken", "An id token is 1 to 36 characters (20 for OCPP 1.6 chargers).");
                    }

                    token = new IdToken(value, body.IdTokenType);
                }
                else if (string.IsNullOrWhiteSpace(body.Plate) && string.IsNullOrWhiteSpace(body.ParkingSessionId))
                {
                    Problem("idToken", "A remote start needs an idToken, a plate or a parkingSessionId.");
                }

                break;
            case CommandType.SetChargingLimit:
                if (body.Limit is not { } amount || amount < 0)
                {
                    Problem("limit", "A charging limit needs a limit of zero or more.");
                }

                if (!TryParse<ChargingRateUnit>(body.Unit, out var unit))
                {
                    Problem("unit", "The unit of a charging limit is W or A.");
                }

                if (body.Phases is < 1 or > 3)
                {
                    Problem("phases", "Phases are 1 to 3.");
                }

                limit = new ChargingLimit(body.Limit ?? 0, unit, body.Phases);
                break;
            case CommandType.UnlockConnector when body.Connector is null or 0:
                Problem("connector", "Unlock needs a connector (1.6) or EVSE (2.0.1, 2.1).");
                break;
            case CommandType.Reset:
                if (body.ResetType is not null && !TryParse<ResetKind>(body.ResetType, out _))
                {
                    Problem("resetType", "A reset is soft or hard.");
                }

                reset = body.ResetType is null ? ResetKind.Soft : TryParse<ResetKind>(body.ResetType, out var kind) ? kind : null;
                break;
            case CommandType.ChangeAvailability:
                if (!TryParse<Availability>(body.Availability, out var wanted))
                {
                    Problem("availability", "Availability is operative or inoperative.");
                }

                availability = wanted;
                break;
        }

        var (variables, firmware, log) = ReadDevice(type, body, now, Problem);
        if (errors.Count > 0)
        {
            return (null, errors);
        }

        return (new CommandRequest
        {
            RequestedMessage = body.RequestedMessage,
            Variables = variables,
            Firmware = firmware,
            Log = log,
            Type = type,
            Charger = charger,
            Outlet = body.Connector,
            EvseConnector = body.EvseConnector,
            IdToken = token,
            Plate = body.Plate,
            ParkingSessionId = body.ParkingSessionId,
            ChargingSessionId = body.ChargingSessionId,
            Limit = limit,
            Reset = reset,
            Availability = availability,
            OfflineWait = wait,
            Reason = body.Reason,
        }, errors);
    }

    /// <summary>What the operator essentials (trigger, variables, firmware, logs) carry, read and checked.</summary>
    private static (IReadOnlyList<VariableRequest> Variables, FirmwareRequest? Firmware, LogRequest? Log) ReadDevice(
        CommandType type, SubmitCommandRequest body, DateTimeOffset now, Action<string, string> problem)
    {
        const int maxRetryIntervalSeconds = 86_400;
        switch (type)
        {
            case CommandType.TriggerMessage when string.IsNullOrWhiteSpace(body.RequestedMessage):
                problem("requestedMessage", "A trigger names the message to send (StatusNotification, MeterValues, BootNotification, Heartbeat, ...).");
                break;
            case CommandType.GetVariables or CommandType.SetVariables:
                var set = type == CommandType.SetVariables;
                if (body.Variables is not { Count: > 0 } list)
                {
                    problem("variables", "At least one variable: { component, variable } (1.6: { variable: the configuration key })" + (set ? " with its value." : "."));
                    return ([], null, null);
                }

                for (var i = 0; i < list.Count; i++)
                {
                    var v = list[i];
                    if (string.IsNullOrWhiteSpace(v.Variable))
                    {
                        problem($"variables[{i}].variable", "Every variable has a name (1.6: the configuration key).");
                    }

                    if (set && v.Value is null)
                    {
                        problem($"variables[{i}].value", "A variable to set has a value.");
                    }

                    if (v.Evse is < 0 || v.Connector is < 0)
                    {
                        problem($"variables[{i}].evse", "EVSE and connector ids are 0 or more.");
                    }
                }

                return ([.. list.Select(v => new VariableRequest
                {
                    Component = v.Component,
                    ComponentInstance = v.ComponentInstance,
                    Evse = v.Evse,
                    Connector = v.Connector,
                    Variable = v.Variable ?? "",
                    VariableInstance = v.VariableInstance,
                    AttributeType = v.AttributeType,
                    Value = set ? v.Value : null,
                })], null, null);
            case CommandType.UpdateFirmware:
                if (body.Firmware is not { } f || (f.FileName is null) == (f.Location is null))
                {
                    problem("firmware", "A firmware update names a file uploaded to the node (firmware.fileName) or a location (firmware.location), one of the two.");
                    return ([], null, null);
                }

                if (f.Location is { } location && !(Uri.TryCreate(location, UriKind.Absolute, out var uri) && uri.Scheme is "ftp" or "ftps" or "http" or "https"))
                {
                    problem("firmware.location", "The firmware location is an absolute ftp, ftps, http or https URL.");
                }

                if (f.FileName is { } file && !Files.NodeFiles.IsValidFirmwareName(file))
                {
                    problem("firmware.fileName", Files.NodeFiles.FirmwareNameRule);
                }

                if (f.Retries is < 0 or > 100 || f.RetryIntervalSeconds is < 0 or > maxRetryIntervalSeconds)
                {
                    problem("firmware.retries", $"Retries are 0 to 100, their interval 0 to {maxRetryIntervalSeconds} seconds.");
                }

                return ([], new FirmwareRequest
                {
                    FileName = f.FileName,
                    Location = f.Location,
                    RetrieveAt = f.RetrieveAt ?? now,
                    InstallAt = f.InstallAt,
                    Retries = f.Retries,
                    RetryInterval = f.RetryIntervalSeconds is { } fs ? TimeSpan.FromSeconds(fs) : null,
                    SigningCertificate = f.SigningCertificate,
                    Signature = f.Signature,
                }, null);
            case CommandType.GetLog:
                var l = body.Log ?? new LogBody();
                var kind = LogKind.DiagnosticsLog;
                if (l.LogType is not null && !TryParse(l.LogType, out kind))
                {
                    problem("log.logType", "The log is DiagnosticsLog or SecurityLog.");
                }

                if (l.Retries is < 0 or > 100 || l.RetryIntervalSeconds is < 0 or > maxRetryIntervalSeconds)
                {
                    problem("log.retries", $"Retries are 0 to 100, their interval 0 to {maxRetryIntervalSeconds} seconds.");
                }

                if (l.Oldest > l.Latest)
                {
                    problem("log.oldest", "The oldest entry wanted comes before the latest.");
                }

                return ([], null, new LogRequest
                {
                    Kind = kind,
                    Oldest = l.Oldest,
                    Latest = l.Latest,
                    Retries = l.Retries,
                    RetryInterval = l.RetryIntervalSeconds is { } ls ? TimeSpan.FromSeconds(ls) : null,
                });
        }

        return ([], null, null);
    }

    private static bool TryParse<T>(string? text, out T value)
        where T : struct, Enum =>
        Enum.TryParse(text?.Replace("_", "", StringComparison.Ordinal), ignoreCase: true, out value) && Enum.IsDefined(value) && !int.TryParse(text, out _);

    [LoggerMessage(EventId = 5040, Level = LogLevel.Information, Message = "Command '{Type}' not valid: {Fields}")]
    private static partial void LogInvalid(ILogger logger, string type, IEnumerable<string> fields);

    [LoggerMessage(EventId = 5041, Level = LogLevel.Information, Message = "Command {Type} refused by the engine: {Reason}")]
    private static partial void LogRefused(ILogger logger, CommandType type, string reason);

    [LoggerMessage(EventId = 5042, Level = LogLevel.Warning, Message = "Command {Type} refused: the role {Role} may not send it")]
    private static partial void LogRoleRefused(ILogger logger, CommandType type, string? role);
}
