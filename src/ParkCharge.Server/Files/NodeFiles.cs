using System.Security.Cryptography;
using System.Text.RegularExpressions;

using Microsoft.Extensions.Options;

using ParkCharge.Server.Hosting;

namespace ParkCharge.Server.Files;

/// <summary>
/// The files in the node's data folder that chargers fetch and send: <c>files/firmware/NAME</c>, uploaded by operators,
/// and <c>files/logs/COMMAND/</c>, the log a GetLog command asked for. A file is written beside its place first and moved
/// there whole, so a charger never fetches half a file.
/// </summary>
public sealed partial class NodeFiles(IOptions<ParkChargeOptions> options)
{
    public const string FirmwareNameRule = "A firmware file name is 1 to 100 letters, digits, '.', '-' or '_', not starting with '.'.";

    private string Root => Path.GetFullPath(Path.Combine(options.Value.DataDirectory, "files"));

    public static bool IsValidFirmwareName(string? name) => name is not null && FirmwareName().IsMatch(name);

    /// <summary>The firmware file's path, if it was uploaded.</summary>
    public string? Firmware(string name) =>
        IsValidFirmwareName(name) && Path.Combine(Root, "firmware", name) is var path && File.Exists(path) ? path : null;

    /// <summary>The firmware files uploaded, by name.</summary>
    public IReadOnlyList<FileInfo> FirmwareFiles() =>
        Directory.Exists(Path.Combine(Root, "firmware"))
            ? [.. new DirectoryInfo(Path.Combine(Root, "firmware")).EnumerateFiles().Where(f => IsValidFirmwareName(f.Name)).OrderBy(f => f.Name, StringComparer.Ordinal)]
            : [];

    /// <summary>Stores an uploaded firmware file (replacing one of the same name); its size and SHA-256, or null when it was larger than <paramref name="max"/>.</summary>
    public Task<(long Bytes, string Sha256)?> SaveFirmwareAsync(string name, Stream body, long max, CancellationToken ct) =>
        SaveAsync(Path.Combine(Root, "firmware"), name, body, max, ct);

    /// <summary>Stores the log a charger uploaded for a command (one per command: a retry replaces it).</summary>
    public Task<(long Bytes, string Sha256)?> SaveLogAsync(string commandId, string name, Stream body, long max, CancellationToken ct)
    {
        var folder = Path.Combine(Root, "logs", commandId);
        if (Directory.Exists(folder))
        {
            foreach (var old in Directory.EnumerateFiles(folder))
            {
                File.Delete(old);
            }
        }

        return SaveAsync(folder, name, body, max, ct);
    }

    /// <summary>The log uploaded for a command, if any.</summary>
    public FileInfo? Log(string commandId) =>
        IsSafeSegment(commandId) && Path.Combine(Root, "logs", commandId) is var folder && Directory.Exists(folder)
            ? new DirectoryInfo(folder).EnumerateFiles().FirstOrDefault(f => !f.Name.StartsWith('.'))
            : null;

    /// <summary>A charger's file name made safe to keep: its last segment, letters, digits, '.', '-' and '_' only.</summary>
    public static string SafeName(string? name)
    {
        var last = Path.GetFileName((name ?? "").Replace('\\', '/').Split('/')[^1]);
        var safe = new string([.. last.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_')]).TrimStart('.');
        return safe.Length is > 0 and <= 100 ? safe : "log";
    }

    public static bool IsSafeSegment(string id) => id.Length is > 0 and <= 64 && id.All(char.IsAsciiLetterOrDigit);

    private static async Task<(long Bytes, string Sha256)?> SaveAsync(string folder, string name, Stream body, long max, CancellationToken ct)
    {
        Directory.CreateDirectory(folder);
        var temporary = Path.Combine(folder, $".{Guid.NewGuid():N}.part");
        try
        {
            long bytes = 0;
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                var buffer = new byte[81920];
                int read;
                while ((read = await body.ReadAsync(buffer, ct)) > 0)
                {
                    bytes += read;
                    if (bytes > max)
                    {
                        return null;
                    }

                    sha.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), ct);
                }

                await file.FlushAsync(ct);
            }

            File.Move(temporary, Path.Combine(folder, name), overwrite: true);
            return (bytes, Convert.ToHexStringLower(sha.GetHashAndReset()));
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$")]
    private static partial Regex FirmwareName();
}
