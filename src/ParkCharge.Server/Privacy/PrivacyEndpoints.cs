using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

using Microsoft.AspNetCore.Http.HttpResults;

using ParkCharge.Core.Plates;
using ParkCharge.Core.Privacy;
using ParkCharge.Server.Auth;
using ParkCharge.Storage;
using ParkCharge.Storage.Json;
using ParkCharge.Storage.Privacy;

namespace ParkCharge.Server.Privacy;

/// <summary>What an erasure did: how much was pseudonymised, and what a legal hold keeps, with the reason.</summary>
public sealed record ErasureResponse(string Plate, int StaysPseudonymised, int LooseReadsPseudonymised, int PicturesDeleted, IReadOnlyList<HeldStay> Held);

/// <summary>
/// /api/v1/privacy: a data subject's requests (GDPR art. 15 and 17), answered by an admin key (docs/privacy.md):
/// everything held about a plate as one export, and its erasure (pseudonymisation at once, except what a legal
/// hold keeps). Both are recorded in <c>privacy_requests</c> with the key that asked and a keyed hash of the plate.
/// </summary>
internal static partial class PrivacyEndpoints
{
    private const string SecretName = "privacy-requests";

    public static IHostApplicationBuilder AddParkChargePrivacy(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<RetentionPasses>();
        builder.Services.AddHostedService(services => services.GetRequiredService<RetentionPasses>());
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Add(PrivacyJsonContext.Default));
        return builder;
    }

    public static RouteGroupBuilder MapPrivacyEndpoints(this RouteGroupBuilder api)
    {
        var privacy = api.MapGroup("/privacy").WithTags("Privacy");
        privacy.MapGet("/plates/{plate}", ExportAsync).RequireAdmin()
            .WithSummary("Everything held about a plate (stays, reads, bills, bindings, pictures, audit) as one export, for an access request");
        privacy.MapPost("/plates/{plate}/erasure", EraseAsync).RequireAdmin()
            .WithSummary("Pseudonymise everything held about a plate now, except what a legal hold keeps (an unpaid bill, an open dispute), which the answer lists with the reason");
        return api;
    }

    private static async Task<Results<Ok<PlateExport>, ValidationProblem>> ExportAsync(string plate, HttpContext http, Store store, TimeProvider time, CancellationToken ct)
    {
        if (Problem(plate) is { } problem)
        {
            return problem;
        }

        var export = await store.Privacy.ExportAsync(plate, ct);
        var outcome = string.Create(CultureInfo.InvariantCulture, $"{export.Stays.Count} stays, {export.Reads.Count} sightings, {export.Bills.Count} bills, {export.Pictures.Count} pictures exported");
        await RecordAsync(http, store, time, "access", plate, outcome, ct);
        return TypedResults.Ok(export);
    }

    private static async Task<Results<Ok<ErasureResponse>, ValidationProblem>> EraseAsync(string plate, HttpContext http, Store store, TimeProvider time, ILoggerFactory loggers, CancellationToken ct)
    {
        if (Problem(plate) is { } problem)
        {
            return problem;
        }

        var retentions = new Dictionary<string, SiteRetention>(StringComparer.Ordinal);
        foreach (var site in await store.Parking.SitesAsync(ct))
        {
            retentions[site.Id] = LogJson.DeserializeSite(site.ConfigurationJson).Settings.Retention;
        }

        var report = await store.Privacy.EraseAsync(plate, id => retentions.GetValueOrDefault(id) ?? new SiteRetention(), time.GetUtcNow(), ct);
        var outcome = string.Create(CultureInfo.InvariantCulture, $"{report.Stays} stays and {report.LooseReads} loose reads pseudonymised, {report.PicturesDeleted} pictures deleted, {report.Held.Count} held: {string.Join("; ", report.Held.Select(h => $"{h.ParkingSessionId} ({h.Reason})"))}");
        await RecordAsync(http, store, time, "erasure", plate, outcome, ct);
        var logger = loggers.CreateLogger(typeof(PrivacyEndpoints));
        if (logger.IsEnabled(LogLevel.Information))
        {
            LogErasure(logger, report.Stays, report.LooseReads, report.Held.Count);
        }
        return TypedResults.Ok(new ErasureResponse(PlateText.Normalize(plate), report.Stays, report.LooseReads, report.PicturesDeleted, report.Held));
    }

    private static ValidationProblem? Problem(string plate)
    {
        var normalized = PlateText.Normalize(plate);
        return normalized.Length is 0 or > 32
            ? TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["plate"] = ["A plate has 1 to 32 letters or digits (spaces and dashes are ignored)."] })
            : null;
    }

    private static async Task RecordAsync(HttpContext http, Store store, TimeProvider time, string kind, string plate, string outcome, CancellationToken ct)
    {
        var secret = await store.NodeSecrets.GetOrCreateAsync(SecretName, 32, ct);
        var hash = Convert.ToHexStringLower(HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes(PlateText.Normalize(plate))));
        var key = http.Features.Get<ApiKeyFeature>()?.Key;
        await store.Privacy.RecordRequestAsync(new PrivacyRequestRecord(time.GetUtcNow(), kind, hash, key?.Id, key?.Name, outcome), ct);
    }

    [LoggerMessage(EventId = 9003, Level = LogLevel.Information, Message = "Erasure request: {Stays} stays and {LooseReads} loose reads pseudonymised, {Held} held")]
    private static partial void LogErasure(ILogger logger, int stays, int looseReads, int held);
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(PlateExport))]
[JsonSerializable(typeof(ErasureResponse))]
internal sealed partial class PrivacyJsonContext : JsonSerializerContext;
