using System.Text.Json;
using System.Text.Json.Serialization;

using ParkCharge.Core.Sites;

namespace ParkCharge.Server.Sites;

/// <summary>
/// A site as a document, in the shape of a site file: what <c>GET</c> shows of a configured site.
/// Camera keys appear only as <c>keyHash</c> (which a site file accepts in place of <c>key</c>, so
/// a document can be edited and sent back) and charger passwords not at all.
/// </summary>
public sealed record SiteDocument
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public required string TimeZone { get; init; }

    public required string Currency { get; init; }

    public int OrdinaryBays { get; init; }

    public required SiteSettingsDocument Settings { get; init; }

    public IReadOnlyList<LaneDocument> Lanes { get; init; } = [];

    public IReadOnlyList<ChargerDocument> Chargers { get; init; } = [];

    public IReadOnlyList<EvBayDocument> EvBays { get; init; } = [];

    public IReadOnlyList<BayCameraDocument> BayCameras { get; init; } = [];

    /// <summary>The automation rules; omitted when none is configured.</summary>
    public AutomationDocument? Automation { get; init; }

    /// <summary>The document for a configuration and the chargers registered at the site.</summary>
    public static SiteDocument From(SiteConfiguration configuration, IEnumerable<SiteChargerDeclaration> chargers)
    {
        var settings = configuration.Settings;
        return new SiteDocument
        {
            Id = configuration.Id.Value,
            Name = configuration.Name,
            TimeZone = configuration.TimeZone,
            Currency = configuration.Currency,
            OrdinaryBays = configuration.OrdinaryBays,
            Settings = new SiteSettingsDocument(
                Durations.Format(settings.BindingWindow),
                Durations.Format(settings.SightingGap),
                settings.MinConfidence,
                Durations.Format(settings.ReentryWindow),
                Durations.Format(settings.MaxStay),
                Durations.Format(settings.IceLimit),
                Durations.Format(settings.EntryGrace),
                Durations.Format(settings.IdleGrace),
                settings.RetentionDays,
                settings.StoreImages,
                Durations.Format(settings.MaxClockAhead)),

            // A camera whose lane is not among the lanes cannot be written in this shape; a
            // configuration read from a site file never has one.
            Lanes = [.. configuration.Lanes.Select(l => new LaneDocument(
                l.Id,
                WireName(l.Direction),
                l.Name,
                [.. configuration.Cameras.Where(c => c.Lane == l.Id).Select(c => new LaneCameraDocument(c.Id, WireName(c.Format), c.KeyHash, c.MinConfidence))]))],
            Chargers = [.. chargers.Select(c => new ChargerDocument(c.Charger.Value, c.SecurityProfile, c.DisplayName))],
            EvBays = [.. configuration.EvBays.Select(b => new EvBayDocument(b.Id, b.Charger.Value, b.Connector, b.Neighbours.Count == 0 ? null : b.Neighbours))],
            BayCameras = [.. configuration.Cameras.Where(c => !c.IsLaneCamera).Select(c => new BayCameraDocument(
                c.Id,
                WireName(c.Format),
                c.KeyHash,
                c.MinConfidence,
                [.. c.Bays.Select(b => new CameraBayDocument(b.Bay, b.Zone, b.XMin is { } min && b.XMax is { } max ? [min, max] : null))]))],
            Automation = AutomationDocument.From(configuration.Automation),
        };
    }

    /// <summary>The document as indented camelCase JSON, which <see cref="SiteFile.Parse"/> reads back.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, SiteDocumentJsonContext.Default.SiteDocument);

    private static string WireName(LaneDirection direction) => direction.ToString().ToLowerInvariant();

    private static string WireName(CameraFormat format) => format.ToString().ToLowerInvariant();
}

/// <summary>Durations as written in site files (<c>2m</c>, <c>1h30m</c>, <c>3d</c>).</summary>
public sealed record SiteSettingsDocument(
    string BindingWindow,
    string SightingGap,
    double MinConfidence,
    string ReentryWindow,
    string MaxStay,
    string IceLimit,
    string EntryGrace,
    string IdleGrace,
    int RetentionDays,
    bool StoreImages,
    string MaxClockAhead);

public sealed record LaneDocument(string Id, string Direction, string? Name, IReadOnlyList<LaneCameraDocument> Cameras);

public sealed record LaneCameraDocument(string Id, string Format, string KeyHash, double? MinConfidence);

public sealed record ChargerDocument(string Id, int SecurityProfile, string? DisplayName);

public sealed record EvBayDocument(string Id, string Charger, int Connector, IReadOnlyList<string>? Neighbours);

public sealed record BayCameraDocument(string Id, string Format, string KeyHash, double? MinConfidence, IReadOnlyList<CameraBayDocument> Bays);

/// <param name="Region">[left, right] as fractions of the picture's width.</param>
public sealed record CameraBayDocument(string Bay, string? Zone, IReadOnlyList<double>? Region);

/// <summary>The <c>automation</c> section of a site file.</summary>
public sealed record AutomationDocument(AutochargeDocument? Autocharge, PermitEndDocument? StopAtPermitEnd, PowerLimitDocument? PowerLimit)
{
    /// <summary>Null when every rule is as a site without the section has it.</summary>
    public static AutomationDocument? From(Core.Automation.SiteAutomation a)
    {
        var defaults = new Core.Automation.SiteAutomation();
        var autocharge = a.Autocharge.Enabled || a.Autocharge.Plates.Count > 0 || a.Autocharge.IdToken is not null || a.Autocharge.Permits || a.Autocharge.LearnedTokens
            ? new AutochargeDocument(a.Autocharge.Enabled, a.Autocharge.IdToken, a.Autocharge.Permits, a.Autocharge.LearnedTokens,
                [.. a.Autocharge.Plates.Select(p => new AutochargePlateDocument(p.Plate, p.IdToken))])
            : null;
        var stop = a.StopAtPermitEnd != defaults.StopAtPermitEnd ? new PermitEndDocument(a.StopAtPermitEnd.Enabled, Durations.Format(a.StopAtPermitEnd.Notice)) : null;
        var power = a.PowerLimit != defaults.PowerLimit
            ? new PowerLimitDocument(a.PowerLimit.Enabled, a.PowerLimit.LimitKw, a.PowerLimit.MinimumKw, a.PowerLimit.Unit.ToString(), a.PowerLimit.Voltage, a.PowerLimit.Phases)
            : null;
        return autocharge is null && stop is null && power is null ? null : new AutomationDocument(autocharge, stop, power);
    }
}

public sealed record AutochargeDocument(bool Enabled, string? IdToken, bool Permits, bool LearnedTokens, IReadOnlyList<AutochargePlateDocument> Plates);

public sealed record AutochargePlateDocument(string Plate, string? IdToken);

public sealed record PermitEndDocument(bool Enabled, string Notice);

public sealed record PowerLimitDocument(bool Enabled, decimal LimitKw, decimal MinimumKw, string Unit, decimal Voltage, int Phases);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SiteDocument))]
internal sealed partial class SiteDocumentJsonContext : JsonSerializerContext;
