namespace ParkCharge.Server.Files;

/// <summary>The files a node serves to chargers (firmware) and receives from them (logs): docs/operators.md, "Firmware and logs".</summary>
public sealed class FileOptions
{
    /// <summary>
    /// The node's address as chargers reach it (e.g. <c>https://ocpp.example.com/</c>), for the links they fetch firmware from
    /// and upload logs to. Unset: the address the charger's own connection came in on (<c>wss://</c> gives <c>https://</c>).
    /// </summary>
    public Uri? PublicBaseUrl { get; set; }

    /// <summary>How long a link stays good after the charger is to use it (the firmware's retrieve time, or the command's sending).</summary>
    public TimeSpan LinkValidity { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The largest firmware file an operator may upload.</summary>
    public long MaxFirmwareBytes { get; set; } = 1024L * 1024 * 1024;

    /// <summary>The largest log a charger may upload.</summary>
    public long MaxLogBytes { get; set; } = 256L * 1024 * 1024;
}
