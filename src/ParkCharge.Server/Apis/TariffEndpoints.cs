using System.Text.Json;
using System.Text.Json.Nodes;

using Microsoft.AspNetCore.Http.HttpResults;

using ParkCharge.Core.Billing;
using ParkCharge.Core.Sites.Files;
using ParkCharge.Server.Auth;
using ParkCharge.Server.Ocpi;
using ParkCharge.Server.Sites;
using ParkCharge.Storage;
using ParkCharge.Storage.Json;

namespace ParkCharge.Server.Apis;

/// <summary>
/// OCPI 2.2.1 tariffs: the public price calculator (<c>POST /api/v1/tariffs/price</c>), and a site's charging tariffs
/// as OCPI Tariff objects, read and written one at a time exactly as OCPI writes them.
/// </summary>
internal static partial class TariffEndpoints
{
    public static RouteGroupBuilder MapTariffEndpoints(this RouteGroupBuilder api)
    {
        api.MapPost("/tariffs/price", PriceAsync).WithTags("Tariffs").RequireIntegration()
            .WithSummary("Price an OCPI 2.2.1 CDR (or its charging periods) with an OCPI tariff: the priced CDR, by the code that bills stays");
        var tariffs = api.MapGroup("/sites/{siteId}/charging-tariffs").WithTags("Tariffs");
        tariffs.MapGet("/", ListAsync).RequireRead().WithSummary("The site's charging tariffs as OCPI 2.2.1 Tariff objects");
        tariffs.MapGet("/{tariffId}", GetAsync).RequireRead().WithSummary("One charging tariff as an OCPI 2.2.1 Tariff object");
        tariffs.MapPut("/{tariffId}", PutAsync).RequireAdmin()
            .WithSummary("Add or replace one charging tariff, sent as an OCPI 2.2.1 Tariff object unchanged (?chargers=A,B: only for those chargers)");
        tariffs.MapDelete("/{tariffId}", DeleteAsync).RequireAdmin().WithSummary("Remove one charging tariff");
        return api;
    }

    private static async Task<Results<Ok<JsonElement>, ProblemHttpResult>> PriceAsync(HttpRequest request, TimeProvider time, ILoggerFactory loggers, CancellationToken ct)
    {
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync(ct);
        var result = PriceCalculator.FromRequest(body, time.GetUtcNow());
        if (result.Cdr is { } cdr)
        {
            return TypedResults.Ok(Element(cdr));
        }

        var logger = loggers.CreateLogger(typeof(TariffEndpoints));
        if (logger.IsEnabled(LogLevel.Information))
        {
            LogPriceRefused(logger, result.Errors.Count);
        }

        return Problem(result.Status, result.Status == StatusCodes.Status422UnprocessableEntity ? "No tariff applies to the session" : "The tariff or CDR is not valid", result.Errors, result.Warnings);
    }

    private static async Task<Results<Ok<JsonElement>, ProblemHttpResult>> ListAsync(string siteId, Store store, TimeProvider time, CancellationToken ct)
    {
        if (await store.Parking.GetSiteAsync(siteId, ct) is not { } site)
        {
            return NoSuchSite(siteId);
        }

        var configuration = LogJson.DeserializeSite(site.ConfigurationJson);
        var now = time.GetUtcNow();
        return TypedResults.Ok(Element(new JsonArray([.. configuration.Tariffs.Charging.Select(t => (JsonNode)Ocpi(t, configuration.Currency, now))])));
    }

    private static async Task<Results<Ok<JsonElement>, ProblemHttpResult>> GetAsync(string siteId, string tariffId, Store store, TimeProvider time, CancellationToken ct)
    {
        if (await store.Parking.GetSiteAsync(siteId, ct) is not { } site)
        {
            return NoSuchSite(siteId);
        }

        var configuration = LogJson.DeserializeSite(site.ConfigurationJson);
        return configuration.Tariffs.Charging.FirstOrDefault(t => t.Id == tariffId) is { } tariff
            ? TypedResults.Ok(Element(Ocpi(tariff, configuration.Currency, time.GetUtcNow())))
            : NoSuchTariff(siteId, tariffId);
    }

    /// <summary>
    /// Puts the tariff into the site's tariffs document (replacing the one with its id) and applies the document as
    /// <c>PUT /api/v1/sites/{id}/tariffs</c> does, so every check of a site document holds (currency, overlapping
    /// versions, chargers). Problems inside the tariff have paths inside the body.
    /// </summary>
    private static async Task<Results<Ok<JsonElement>, ProblemHttpResult>> PutAsync(
        string siteId, string tariffId, string? chargers, HttpRequest request, Store store, SiteConfigurator configurator, TimeProvider time, CancellationToken ct)
    {
        if (await store.Parking.GetSiteAsync(siteId, ct) is not { } site)
        {
            return NoSuchSite(siteId);
        }

        using var reader = new StreamReader(request.Body);
        JsonObject body;
        try
        {
            // Duplicate names refused while parsing (a JsonObject would otherwise throw on first use: a 500).
            body = JsonNode.Parse(await reader.ReadToEndAsync(ct), documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false }) as JsonObject
                ?? throw new JsonException("not an object");
        }
        catch (JsonException e)
        {
            return Problem(StatusCodes.Status400BadRequest, "The tariff is not valid", [new DocumentProblem("", $"expected an OCPI Tariff object (JSON): {e.Message}")], []);
        }

        if (body["id"]?.GetValueKind() == JsonValueKind.String && body["id"]!.GetValue<string>() != tariffId)
        {
            return Problem(StatusCodes.Status400BadRequest, "The tariff is not valid", [new DocumentProblem("id", $"'{body["id"]}' is not the tariff id of the URL ('{tariffId}')")], []);
        }

        body["id"] ??= tariffId;
        var configuration = LogJson.DeserializeSite(site.ConfigurationJson);
        var current = configuration.Tariffs.Charging.FirstOrDefault(t => t.Id == tariffId);
        var forChargers = chargers is null
            ? current?.Chargers.Select(c => c.Value).ToList() ?? []
            : [.. chargers.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];
        if (forChargers.Count > 0)
        {
            body["chargers"] = new JsonArray([.. forChargers.Select(c => (JsonNode)c)]);
        }

        var document = JsonNode.Parse(TariffsDocument.From(configuration.Tariffs).ToJson())!.AsObject();
        var charging = document["charging"]!.AsArray();
        var index = charging.Select((t, i) => (t, i)).FirstOrDefault(x => x.t?["id"]?.GetValue<string>() == tariffId).i;
        if (current is null)
        {
            index = charging.Count;
            charging.Add(body);
        }
        else
        {
            charging[index] = body;
        }

        var registered = (await store.Chargers.ListAsync(siteId, ct)).Select(c => c.Id)
            .Concat(configuration.EvBays.Select(b => b.Charger.Value))
            .ToHashSet(StringComparer.Ordinal);
        var result = SiteFile.ParseTariffs(document.ToJsonString(), configuration, registered, new Dictionary<string, string?>());
        var prefix = $"charging[{index}]";
        IReadOnlyList<DocumentProblem> Inside(IReadOnlyList<DocumentProblem> problems) =>
            [.. problems.Select(p => p.Path == prefix ? p with { Path = "", Line = null }
                : p.Path.StartsWith(prefix + ".", StringComparison.Ordinal) ? p with { Path = p.Path[(prefix.Length + 1)..], Line = null }
                : p with { Line = null })];
        if (!result.IsValid)
        {
            return Problem(StatusCodes.Status400BadRequest, "The tariff is not valid", Inside(result.Errors), Inside(result.Warnings));
        }

        try
        {
            await configurator.ApplyTariffsAsync(configuration.Id, result.Tariffs!, "api", ct);
        }
        catch (SiteDocumentException e)
        {
            return Problem(StatusCodes.Status409Conflict, "The tariff cannot be applied", e.Problems, []);
        }

        var applied = result.Tariffs!.Charging.First(t => t.Id == tariffId);
        return TypedResults.Ok(Element(Ocpi(applied, configuration.Currency, time.GetUtcNow())));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string siteId, string tariffId, Store store, SiteConfigurator configurator, CancellationToken ct)
    {
        if (await store.Parking.GetSiteAsync(siteId, ct) is not { } site)
        {
            return NoSuchSite(siteId);
        }

        var configuration = LogJson.DeserializeSite(site.ConfigurationJson);
        if (configuration.Tariffs.Charging.All(t => t.Id != tariffId))
        {
            return NoSuchTariff(siteId, tariffId);
        }

        await configurator.ApplyTariffsAsync(configuration.Id, configuration.Tariffs with { Charging = [.. configuration.Tariffs.Charging.Where(t => t.Id != tariffId)] }, "api", ct);
        return TypedResults.NoContent();
    }

    /// <summary>A site's tariff in OCPI's form; the chargers it is for (ParkCharge's, not OCPI's) as an extra field.</summary>
    private static JsonObject Ocpi(ChargingTariff tariff, string currency, DateTimeOffset now)
    {
        var json = OcpiJson.Tariff(tariff, currency, now);
        if (tariff.Chargers.Count > 0)
        {
            json["chargers"] = new JsonArray([.. tariff.Chargers.Select(c => (JsonNode)c.Value)]);
        }

        return json;
    }

    internal static JsonElement Element(JsonNode node)
    {
        using var document = JsonDocument.Parse(node.ToJsonString());
        return document.RootElement.Clone();
    }

    internal static ProblemHttpResult Problem(int status, string title, IReadOnlyList<DocumentProblem> errors, IReadOnlyList<DocumentProblem> warnings)
    {
        var details = new Microsoft.AspNetCore.Mvc.ProblemDetails
        {
            Status = status,
            Title = title,
            Detail = $"{errors.Count} problem(s); see errors.",
            Extensions = { ["errors"] = errors.Select(p => p.ToString()).ToArray() },
        };
        if (warnings.Count > 0)
        {
            details.Extensions["warnings"] = warnings.Select(p => p.ToString()).ToArray();
        }

        return TypedResults.Problem(details);
    }

    private static ProblemHttpResult NoSuchSite(string id) =>
        TypedResults.Problem(title: "No such site", detail: $"No site '{id}'.", statusCode: StatusCodes.Status404NotFound);

    private static ProblemHttpResult NoSuchTariff(string siteId, string tariffId) =>
        TypedResults.Problem(title: "No such tariff", detail: $"Site '{siteId}' has no charging tariff '{tariffId}'.", statusCode: StatusCodes.Status404NotFound);

    [LoggerMessage(EventId = 5060, Level = LogLevel.Information, Message = "A price request was refused with {Count} problem(s)")]
    private static partial void LogPriceRefused(ILogger logger, int count);
}
