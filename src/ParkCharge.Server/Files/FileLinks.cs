using System.Globalization;
using System.Security.Cryptography;
using System.Text;

using Microsoft.Extensions.Options;

using ParkCharge.Core.Commands;
using ParkCharge.Server.Hosting;
using ParkCharge.Server.Ocpp;
using ParkCharge.Storage;

namespace ParkCharge.Server.Files;

/// <summary>
/// Links to the node's files that a charger can use without an API key: the path, an expiry (Unix seconds) and an
/// HMAC-SHA256 of both under a node secret (<c>file-links</c>, kept with the node's other secrets, shared by the nodes
/// of a cluster). Anyone holding the link can use it until it expires, and for nothing else: another path, or a later
/// expiry, does not verify.
/// </summary>
public sealed class FileLinks(Store store, IOptions<ParkChargeOptions> options, TimeProvider time) : IDisposable
{
    public const string ExpiresParameter = "expires";
    public const string SignatureParameter = "signature";

    private const string SecretName = "file-links";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private byte[]? _key;

    /// <summary>A link to <paramref name="path"/> (relative, no leading slash) on <paramref name="node"/>, good until <paramref name="usableFrom"/> plus the link validity.</summary>
    public async Task<string> SignAsync(Uri node, string path, DateTimeOffset usableFrom, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var expires = (usableFrom > now ? usableFrom : now) + options.Value.Files.LinkValidity;
        var seconds = expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(await KeyAsync(ct), Encoding.UTF8.GetBytes($"/{path}\n{seconds}")));
        var baseUri = options.Value.Files.PublicBaseUrl ?? node;
        return new Uri(baseUri, $"{path}?{ExpiresParameter}={seconds}&{SignatureParameter}={signature}").AbsoluteUri;
    }

    /// <summary>
    /// The command as the charger is to receive it: an update from a file on the node gets a link to it, good from the time
    /// the firmware is to be retrieved; a log upload gets a link to upload to. Made at each sending, never stored.
    /// </summary>
    public async Task<ChargerCommand> ForChargerAsync(ChargerCommand command, LiveConnection live, CancellationToken ct)
    {
        if (live.BaseUri is not { } node && options.Value.Files.PublicBaseUrl is null)
        {
            return command;
        }

        var baseUri = live.BaseUri ?? options.Value.Files.PublicBaseUrl!;
        return command switch
        {
            { Type: CommandType.UpdateFirmware, Firmware: { FileName: { } file } firmware } =>
                command with { Firmware = firmware with { Location = await SignAsync(baseUri, FileEndpoints.FirmwarePath + Uri.EscapeDataString(file), firmware.RetrieveAt, ct) } },
            { Type: CommandType.GetLog, Log: { } log } =>
                command with { Log = log with { UploadLocation = await SignAsync(baseUri, FileEndpoints.LogPath + command.Id, time.GetUtcNow(), ct) } },
            _ => command,
        };
    }

    /// <summary>Why the request's link is not good (null: it is): no signature, expired, or signed for another path than <paramref name="path"/>.</summary>
    public async Task<string?> CheckAsync(HttpRequest request, string path, CancellationToken ct)
    {
        if (!long.TryParse(request.Query[ExpiresParameter], NumberStyles.None, CultureInfo.InvariantCulture, out var expires)
            || request.Query[SignatureParameter].ToString() is not { Length: 64 } given)
        {
            return "the link carries no expiry and signature";
        }

        var expected = HMACSHA256.HashData(await KeyAsync(ct), Encoding.UTF8.GetBytes($"{path}\n{expires.ToString(CultureInfo.InvariantCulture)}"));
        byte[] actual;
        try
        {
            actual = Convert.FromHexString(given);
        }
        catch (FormatException)
        {
            return "the signature is not hexadecimal";
        }

        if (!CryptographicOperations.FixedTimeEquals(expected, actual))
        {
            return "the signature does not match the link";
        }

        return DateTimeOffset.FromUnixTimeSeconds(Math.Min(expires, DateTimeOffset.MaxValue.ToUnixTimeSeconds())) < time.GetUtcNow() ? "the link has expired" : null;
    }

    public void Dispose() => _gate.Dispose();

    private async Task<byte[]> KeyAsync(CancellationToken ct)
    {
        if (_key is { } key)
        {
            return key;
        }

        await _gate.WaitAsync(ct);
        try
        {
            return _key ??= await store.NodeSecrets.GetOrCreateAsync(SecretName, 32, ct);
        }
        finally
        {
            _gate.Release();
        }
    }
}
