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
    string? Reason = null);

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
        SubmitCommandRequest body, HttpContext http, Store store, SiteEngines engines, TimeProvider time, ILoggerFactory loggers, CancellationToken ct)
    {
        var logger = loggers.CreateLogger("ParkCharge.Server.Commands");
        var (request, errors) = Read(body);
        if (request is null)
        {
            LogInvalid(logger, body.Type, errors.Keys);
            return TypedResults.ValidationProblem(errors, title: "The command is not valid");
        }

        // A parking or billing system may start, stop and limit charging (that is what it integrates
        // for); touching the hardware itself (unlock, reset, availability) stays with operators.
        if (request.Type is CommandType.UnlockConnector or CommandType.Reset or CommandType.ChangeAvailability
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

        var view = (await store.Commands.GetAsync(queued.CommandId, ct))!;
        return TypedResults.Accepted($"/api/v1/commands/{queued.CommandId}", view);
    }

    private static async Task<Results<Ok<CommandView>, ProblemHttpResult>> GetAsync(string id, Store store, CancellationToken ct) =>
        await store.Commands.GetAsync(id, ct) is { } command
            ? TypedResults.Ok(command)
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
            return TypedResults.Ok(await store.Commands.ListAsync(new CommandFilter
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
            }, ct));
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
    private static (CommandRequest? Request, Dictionary<string, string[]> Errors) Read(SubmitCommandRequest body)
    {
        var errors = new Dictionary<string, string[]>();
        void Problem(string field, string message) => errors[field] = [message];

        if (!TryParse<CommandType>(body.Type, out var type))
        {
            Problem("type", $"'{body.Type}' is not a command; use one of remoteStart, remoteStop, setChargingLimit, clearChargingLimit, unlockConnector, reset, changeAvailability.");
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

        if (errors.Count > 0)
        {
            return (null, errors);
        }

        return (new CommandRequest
        {
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

    private static bool TryParse<T>(string? text, out T value)
        where T : struct, Enum =>
        Enum.TryParse(text?.Replace("_", "", StringComparison.Ordinal), ignoreCase: true, out value) && Enum.IsDefined(value) && !int.TryParse(text, out _);

    [LoggerMessage(Level = LogLevel.Information, Message = "Command '{Type}' not valid: {Fields}")]
    private static partial void LogInvalid(ILogger logger, string type, IEnumerable<string> fields);

    [LoggerMessage(Level = LogLevel.Information, Message = "Command {Type} refused by the engine: {Reason}")]
    private static partial void LogRefused(ILogger logger, CommandType type, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Command {Type} refused: the role {Role} may not send it")]
    private static partial void LogRoleRefused(ILogger logger, CommandType type, string? role);
}
