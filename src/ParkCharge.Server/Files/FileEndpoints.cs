using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

using ParkCharge.Core.Commands;
using ParkCharge.Core.Observations;
using ParkCharge.Core.Sites;
using ParkCharge.Server.Auth;
using ParkCharge.Server.Hosting;
using ParkCharge.Server.Sites;
using ParkCharge.Storage;

namespace ParkCharge.Server.Files;

/// <summary>A firmware file on the node.</summary>
public sealed record FirmwareFileView(string FileName, long Bytes, string? Sha256, DateTimeOffset UploadedAt);

/// <summary>A log a charger uploaded, as the node kept it.</summary>
public sealed record LogUploadView(string FileName, long Bytes);

/// <summary>
/// Firmware and logs. Operators upload firmware to the node (<c>PUT /api/v1/firmware/{fileName}</c>) and read the logs
/// chargers uploaded (<c>GET /api/v1/commands/{id}/log</c>). Chargers fetch firmware from <c>/files/firmware/...</c> and
/// upload logs to <c>/files/logs/...</c> with no API key, only with the signed, expiring link the command gave them
/// (<see cref="FileLinks"/>).
/// </summary>
internal static partial class FileEndpoints
{
    public const string FirmwarePath = "files/firmware/";
    public const string LogPath = "files/logs/";

    public static RouteGroupBuilder MapFileEndpoints(this RouteGroupBuilder api, FileOptions files)
    {
        var firmware = api.MapGroup("/firmware").WithTags("Firmware and logs");
        firmware.MapPut("/{fileName}", UploadFirmwareAsync).RequireOperator().WithBodyLimit(files.MaxFirmwareBytes)
            .WithSummary("Upload a firmware file to the node (the body is the file); an updateFirmware command with its fileName gives chargers a signed, expiring link to it");
        firmware.MapGet("/", ListFirmware).RequireRead().WithSummary("The firmware files on the node");
        api.MapGet("/commands/{id}/log", DownloadLog).RequireRead().WithTags("Firmware and logs").WithSummary("The log a getLog command's charger uploaded");
        return api;
    }

    /// <summary>What chargers reach with the links they were given: no API key, the link's signature instead.</summary>
    public static IEndpointRouteBuilder MapChargerFileEndpoints(this IEndpointRouteBuilder app, FileOptions files)
    {
        app.MapGet("/" + FirmwarePath + "{fileName}", FetchFirmwareAsync).ExcludeFromDescription();
        app.MapMethods("/" + LogPath + "{commandId}", ["PUT", "POST"], ReceiveLogAsync).WithBodyLimit(files.MaxLogBytes).ExcludeFromDescription();
        app.MapMethods("/" + LogPath + "{commandId}/{fileName}", ["PUT", "POST"], ReceiveLogAsync).WithBodyLimit(files.MaxLogBytes).ExcludeFromDescription();
        return app;
    }

    private static async Task<Results<Created<FirmwareFileView>, ProblemHttpResult>> UploadFirmwareAsync(
        string fileName, HttpRequest request, NodeFiles nodeFiles, Microsoft.Extensions.Options.IOptions<ParkChargeOptions> options, TimeProvider time, ILoggerFactory loggers, CancellationToken ct)
    {
        if (!NodeFiles.IsValidFirmwareName(fileName))
        {
            return TypedResults.Problem(title: "Not a firmware file name", detail: NodeFiles.FirmwareNameRule, statusCode: StatusCodes.Status400BadRequest);
        }

        var saved = await nodeFiles.SaveFirmwareAsync(fileName, request.Body, options.Value.Files.MaxFirmwareBytes, ct);
        if (saved is not { } file)
        {
            return TypedResults.Problem(title: "The firmware file is too large", detail: $"At most {options.Value.Files.MaxFirmwareBytes} bytes (ParkCharge:Files:MaxFirmwareBytes).", statusCode: StatusCodes.Status413PayloadTooLarge);
        }

        var logger = loggers.CreateLogger("ParkCharge.Server.Files");
        LogFirmwareUploaded(logger, fileName, file.Bytes, file.Sha256);
        return TypedResults.Created($"/api/v1/firmware/{fileName}", new FirmwareFileView(fileName, file.Bytes, file.Sha256, time.GetUtcNow()));
    }

    private static Ok<IReadOnlyList<FirmwareFileView>> ListFirmware(NodeFiles nodeFiles) =>
        TypedResults.Ok<IReadOnlyList<FirmwareFileView>>([.. nodeFiles.FirmwareFiles().Select(f => new FirmwareFileView(f.Name, f.Length, null, f.LastWriteTimeUtc))]);

    private static Results<FileStreamHttpResult, ProblemHttpResult> DownloadLog(string id, NodeFiles nodeFiles) =>
        nodeFiles.Log(id) is { } log
            ? TypedResults.File(log.OpenRead(), "application/octet-stream", log.Name)
            : TypedResults.Problem(title: "No log", detail: $"No log was uploaded for command '{id}'.", statusCode: StatusCodes.Status404NotFound);

    private static async Task<IResult> FetchFirmwareAsync(string fileName, HttpRequest request, FileLinks links, NodeFiles nodeFiles, ILoggerFactory loggers, CancellationToken ct)
    {
        var logger = loggers.CreateLogger("ParkCharge.Server.Files");
        if (await links.CheckAsync(request, request.PathBase + request.Path, ct) is { } refusal)
        {
            LogLinkRefused(logger, request.Path, refusal);
            return TypedResults.Problem(title: "The link is not good", detail: refusal, statusCode: StatusCodes.Status403Forbidden);
        }

        if (nodeFiles.Firmware(fileName) is not { } path)
        {
            return TypedResults.Problem(title: "No such firmware file", detail: $"The node has no firmware file '{fileName}'.", statusCode: StatusCodes.Status404NotFound);
        }

        LogFirmwareFetched(logger, fileName, request.HttpContext.Connection.RemoteIpAddress);
        return TypedResults.PhysicalFile(path, "application/octet-stream", fileName, enableRangeProcessing: true);
    }

    /// <summary>
    /// A charger uploads the log: the body as it is (PUT, or POST of the file), or the first file of a multipart form (POST,
    /// as many chargers send it). The link is signed for <c>/files/logs/{commandId}</c>; a charger that appends its file name
    /// to it is served too.
    /// </summary>
    private static async Task<IResult> ReceiveLogAsync(
        string commandId, string? fileName, HttpRequest request, FileLinks links, NodeFiles nodeFiles, Store store, SiteEngines engines,
        Microsoft.Extensions.Options.IOptions<ParkChargeOptions> options, TimeProvider time, ILoggerFactory loggers, CancellationToken ct)
    {
        var logger = loggers.CreateLogger("ParkCharge.Server.Files");
        var refusal = NodeFiles.IsSafeSegment(commandId) ? await links.CheckAsync(request, $"{request.PathBase}/{LogPath}{commandId}", ct) : "not a command id";
        if (refusal is not null)
        {
            LogLinkRefused(logger, request.Path, refusal);
            return TypedResults.Problem(title: "The link is not good", detail: refusal, statusCode: StatusCodes.Status403Forbidden);
        }

        if (await store.Commands.GetAsync(commandId, ct) is not { Type: nameof(CommandType.GetLog) } command)
        {
            return TypedResults.Problem(title: "No such log upload", detail: $"No getLog command '{commandId}'.", statusCode: StatusCodes.Status404NotFound);
        }

        var max = options.Value.Files.MaxLogBytes;
        (long Bytes, string Sha256)? saved;
        var name = fileName;
        if (MediaTypeHeaderValue.TryParse(request.ContentType, out var type) && type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            && HeaderUtilities.RemoveQuotes(type.Boundary).Value is { Length: > 0 } boundary)
        {
            var reader = new MultipartReader(boundary, request.Body);
            MultipartSection? section;
            saved = null;
            while ((section = await reader.ReadNextSectionAsync(ct)) is not null)
            {
                if (ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) && disposition.IsFileDisposition())
                {
                    name ??= HeaderUtilities.RemoveQuotes(disposition.FileName.HasValue ? disposition.FileName : disposition.FileNameStar).Value;
                    saved = await nodeFiles.SaveLogAsync(commandId, NodeFiles.SafeName(name), section.Body, max, ct);
                    break;
                }
            }

            if (saved is null && section is null)
            {
                return TypedResults.Problem(title: "No file in the form", detail: "The multipart form carries no file.", statusCode: StatusCodes.Status400BadRequest);
            }
        }
        else
        {
            saved = await nodeFiles.SaveLogAsync(commandId, NodeFiles.SafeName(name), request.Body, max, ct);
        }

        if (saved is not { } file)
        {
            return TypedResults.Problem(title: "The log is too large", detail: $"At most {max} bytes (ParkCharge:Files:MaxLogBytes).", statusCode: StatusCodes.Status413PayloadTooLarge);
        }

        var stored = NodeFiles.SafeName(name);
        var now = time.GetUtcNow();
        await engines.SubmitAsync(new Observation
        {
            Site = new SiteId(command.SiteId),
            Source = "files",
            Key = $"log:{commandId}:{file.Sha256}",
            EventTime = now,
            ReceivedAt = now,
            Payload = new LogUploaded(commandId, stored, file.Bytes),
        });
        LogLogReceived(logger, command.ChargerId, commandId, file.Bytes);
        return TypedResults.Created($"/api/v1/commands/{commandId}/log", new LogUploadView(stored, file.Bytes));
    }

    [LoggerMessage(EventId = 5301, Level = LogLevel.Information, Message = "Firmware file {FileName} uploaded: {Bytes} bytes, SHA-256 {Sha256}")]
    private static partial void LogFirmwareUploaded(ILogger logger, string fileName, long bytes, string sha256);

    [LoggerMessage(EventId = 5302, Level = LogLevel.Information, Message = "Firmware file {FileName} fetched by {Address}")]
    private static partial void LogFirmwareFetched(ILogger logger, string fileName, System.Net.IPAddress? address);

    [LoggerMessage(EventId = 5303, Level = LogLevel.Warning, Message = "A file link to {Path} was refused: {Reason}")]
    private static partial void LogLinkRefused(ILogger logger, PathString path, string reason);

    [LoggerMessage(EventId = 5304, Level = LogLevel.Information, Message = "Charger {Charger} uploaded the log of command {CommandId}: {Bytes} bytes")]
    private static partial void LogLogReceived(ILogger logger, string charger, string commandId, long bytes);
}
