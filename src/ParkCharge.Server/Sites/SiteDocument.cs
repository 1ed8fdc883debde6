using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

using ParkCharge.Core.Billing;
using ParkCharge.Core.Sites;
using ParkCharge.Core.Sites.Files;
using ParkCharge.Server.Ocpi;

namespace ParkCharge.Server.Sites;

/// <summary>
/// A site as a document, in the shape of a site file: what <c>GET</c> shows of a configured site.
/// Camera keys appear only as <c>keyHash</c> (which a site file accepts in place of <c>key</c>, so
/// a document can be edited and sent back), and only when asked for (admins: they are the ones who
/// send documents back); charger passwords not at all.
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

    /// <summary>Parking and charging tariffs, EV-bay rules and permits (always written, so a document read back shows what the site bills with).</summary>
    public required TariffsDocument Tariffs { get; init; }
    /// <summary>The automation rules; omitted when none is configured.</summary>
    public AutomationDocument? Automation { get; init; }

    /// <summary>When a camera is silent, skewed or degraded; omitted when every setting is the default.</summary>
    public CameraHealthDocument? CameraHealth { get; init; }

    /// <summary>When stays whose gate read was missed are inferred; omitted when every setting is the default.</summary>
    public InferredStaysDocument? InferredStays { get; init; }

    /// <summary>The document for a configuration and the chargers registered at the site.</summary>
    /// <param name="includeKeyHashes">Whether cameras show their key's hash (only to those who may send the document back).</param>
    public static SiteDocument From(SiteConfiguration configuration, IEnumerable<SiteChargerDeclaration> chargers, bool includeKeyHashes = true)
    {
        string? KeyHash(CameraConfiguration camera) => includeKeyHashes ? camera.KeyHash : null;
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
                RetentionDocument.From(settings.Retention),
                settings.StoreImages,
                Durations.Format(settings.MaxClockAhead),
                Durations.Format(settings.MeterEventInterval))
            {
                ChargerCost = settings.ChargerCost == ChargerCostMode.Off && configuration.ChargerCostFor is null
                    ? null
                    : new ChargerCostDocument(Mode(settings.ChargerCost), configuration.ChargerCostFor?.ToDictionary(c => c.Key, c => Mode(c.Value), StringComparer.Ordinal)),
            },

            // A camera whose lane is not among the lanes cannot be written in this shape; a
            // configuration read from a site file never has one.
            Lanes = [.. configuration.Lanes.Select(l => new LaneDocument(
                l.Id,
                WireName(l.Direction),
                l.Name,
                [.. configuration.Cameras.Where(c => c.Lane == l.Id).Select(c => new LaneCameraDocument(c.Id, WireName(c.Format), KeyHash(c), c.MinConfidence)
                {
                    TimeZone = c.TimeZone,
                    Approaching = Approaching(c),
                    HeadingIn = c.HeadingIn,
                    Map = CameraFieldMapDocument.From(c.Map),
                })]))],
            Chargers = [.. chargers.Select(c => new ChargerDocument(c.Charger.Value, c.SecurityProfile, c.DisplayName)
            {
                Upstreams = c.Upstreams.Count == 0 ? null : [.. c.Upstreams.Select(UpstreamDocument.From)],
            })],
            EvBays = [.. configuration.EvBays.Select(b => new EvBayDocument(b.Id, b.Charger.Value, b.Connector, b.Neighbours.Count == 0 ? null : b.Neighbours))],
            BayCameras = [.. configuration.Cameras.Where(c => !c.IsLaneCamera).Select(c => new BayCameraDocument(
                c.Id,
                WireName(c.Format),
                KeyHash(c),
                c.MinConfidence,
                [.. c.Bays.Select(b => new CameraBayDocument(b.Bay, b.Zone, b.XMin is { } min && b.XMax is { } max ? [min, max] : null))])
            {
                TimeZone = c.TimeZone,
                Approaching = Approaching(c),
                HeadingIn = c.HeadingIn,
                Map = CameraFieldMapDocument.From(c.Map),
            })],
            Tariffs = TariffsDocument.From(configuration.Tariffs),
            Automation = AutomationDocument.From(configuration.Automation),
            CameraHealth = CameraHealthDocument.From(configuration.CameraHealth),
            InferredStays = InferredStaysDocument.From(configuration.InferredStays),
        };
    }

    /// <summary>The document as indented camelCase JSON, which <see cref="SiteFile.Parse"/> reads back.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, SiteDocumentJsonContext.Default.SiteDocument);

    private static string WireName(LaneDirection direction) => direction.ToString().ToLowerInvariant();

    private static string Mode(ChargerCostMode mode) => mode.ToString().ToLowerInvariant();

    /// <summary>Written only when it is not the default (a camera facing arriving traffic).</summary>
    private static string? Approaching(CameraConfiguration camera) => camera.Approaching == Core.Parking.TravelDirection.In ? null : "out";

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
    RetentionDocument Retention,
    bool StoreImages,
    string MaxClockAhead,
    string MeterEventInterval)
{
    /// <summary>What chargers are told of the cost (off, central, local), for all and per charger; omitted when off for all.</summary>
    public ChargerCostDocument? ChargerCost { get; init; }
}

/// <summary><c>settings.chargerCost</c> in its long form: the mode for every charger and the chargers that differ.</summary>
public sealed record ChargerCostDocument(string Default, IReadOnlyDictionary<string, string>? Chargers);

/// <summary>How long each kind of personal data is kept, as durations (docs/privacy.md).</summary>
public sealed record RetentionDocument(string SettledStays, string UnpaidStays, string Pictures, string MessageLog, string DeliveryLog, string AuditLog, string PseudonymKey)
{
    public static RetentionDocument From(Core.Privacy.SiteRetention r) => new(
        Durations.Format(r.SettledStays), Durations.Format(r.UnpaidStays), Durations.Format(r.Pictures), Durations.Format(r.MessageLog),
        Durations.Format(r.DeliveryLog), Durations.Format(r.AuditLog), Durations.Format(r.PseudonymKey));
}

public sealed record LaneDocument(string Id, string Direction, string? Name, IReadOnlyList<LaneCameraDocument> Cameras);

public sealed record LaneCameraDocument(string Id, string Format, string? KeyHash, double? MinConfidence)
{
    /// <summary>The IANA time zone of the camera's clock, when it sends local times and is not in the site's zone.</summary>
    public string? TimeZone { get; init; }

    /// <summary><c>out</c> for a camera facing leaving traffic; omitted for the default (<c>in</c>).</summary>
    public string? Approaching { get; init; }

    /// <summary>The angle in the vendor's degrees of a vehicle entering, for cameras that report a heading.</summary>
    public double? HeadingIn { get; init; }

    /// <summary>The field map of a camera with format <c>mapped</c>.</summary>
    public CameraFieldMapDocument? Map { get; init; }
}

public sealed record ChargerDocument(string Id, int SecurityProfile, string? DisplayName)
{
    /// <summary>Proxy mode: the backends the charger is proxied to, without their secrets (an upstream sent back without its password keeps it).</summary>
    public IReadOnlyList<UpstreamDocument>? Upstreams { get; init; }
}

/// <summary>One of a charger's upstream backends as the site document writes it; secrets are never shown.</summary>
public sealed record UpstreamDocument(string Name, string Url, string Identity, string Role)
{
    public string? ClientCertificate { get; init; }

    public string? ClientKey { get; init; }

    public string? CaCertificate { get; init; }

    public IReadOnlyList<string>? AllowedActions { get; init; }

    public string? Timeout { get; init; }

    /// <summary><c>learnt</c> when set so; omitted for the default, <c>acceptAll</c>.</summary>
    public string? OfflineAuthorization { get; init; }

    public static UpstreamDocument From(ChargerUpstream u) => new(u.Name, u.Url.ToString(), u.Identity, u.Role == UpstreamRole.Observer ? "observer" : "primary")
    {
        ClientCertificate = u.ClientCertificate,
        ClientKey = u.ClientKey,
        CaCertificate = u.CaCertificate,
        AllowedActions = u.Role == UpstreamRole.Observer ? null : u.AllowedActions,
        Timeout = u.Timeout == ChargerUpstream.DefaultTimeout ? null : Durations.Format(u.Timeout),
        OfflineAuthorization = u.OfflineAuthorization == Core.Sites.OfflineAuthorization.Learnt ? "learnt" : null,
    };
}

public sealed record EvBayDocument(string Id, string Charger, int Connector, IReadOnlyList<string>? Neighbours);

public sealed record BayCameraDocument(string Id, string Format, string? KeyHash, double? MinConfidence, IReadOnlyList<CameraBayDocument> Bays)
{
    /// <inheritdoc cref="LaneCameraDocument.TimeZone"/>
    public string? TimeZone { get; init; }

    /// <inheritdoc cref="LaneCameraDocument.Approaching"/>
    public string? Approaching { get; init; }

    /// <inheritdoc cref="LaneCameraDocument.HeadingIn"/>
    public double? HeadingIn { get; init; }

    /// <inheritdoc cref="LaneCameraDocument.Map"/>
    public CameraFieldMapDocument? Map { get; init; }
}

/// <summary>A camera's field map as a site file writes it (<see cref="CameraFieldMap"/>); defaults are left out.</summary>
public sealed record CameraFieldMapDocument
{
    public string? Document { get; init; }

    public string? Reads { get; init; }

    public required string Plate { get; init; }

    public IReadOnlyList<string>? NoPlate { get; init; }

    public string? Confidence { get; init; }

    public double? ConfidenceScale { get; init; }

    public string? Time { get; init; }

    public string? TimeFormat { get; init; }

    public string? Direction { get; init; }

    /// <summary>Each value of the direction field and what it means: in, out, approaching or leaving.</summary>
    public IReadOnlyDictionary<string, string>? Directions { get; init; }

    public string? Zone { get; init; }

    public string? ReadId { get; init; }

    public string? Region { get; init; }

    public string? Picture { get; init; }

    public string? PicturePart { get; init; }

    public string? DocumentPart { get; init; }

    public static CameraFieldMapDocument? From(CameraFieldMap? map) => map is null ? null : new()
    {
        Document = map.Document == CameraDocumentKind.Json ? null : "xml",
        Reads = map.Reads,
        Plate = map.Plate,
        NoPlate = map.NoPlate.Count == 0 ? null : map.NoPlate,
        Confidence = map.Confidence,
        ConfidenceScale = map.ConfidenceScale == 1 ? null : map.ConfidenceScale,
        Time = map.Time,
        TimeFormat = map.TimeFormat,
        Direction = map.Direction,
        Directions = map.DirectionValues.Count == 0 ? null : map.DirectionValues.ToDictionary(v => v.Value, v => v.Means.ToString().ToLowerInvariant(), StringComparer.Ordinal),
        Zone = map.Zone,
        ReadId = map.ReadId,
        Region = map.Region,
        Picture = map.Picture,
        PicturePart = map.PicturePart,
        DocumentPart = map.DocumentPart,
    };
}

/// <param name="Region">[left, right] as fractions of the picture's width.</param>
public sealed record CameraBayDocument(string Bay, string? Zone, IReadOnlyList<double>? Region);

/// <summary>
/// A site's tariffs in the shape of a site file's <c>tariffs</c> section: what
/// <c>GET /api/v1/sites/{id}/tariffs</c> returns and <c>PUT</c> takes, and what a site document shows.
/// Durations, times, dates and instants are written as a site file writes them; amounts as decimals.
/// </summary>
public sealed record TariffsDocument(
    IReadOnlyList<ParkingTariffDocument> Parking,
    IReadOnlyList<ChargingTariffDocument> Charging,
    EvBayRulesDocument EvBayRules,
    IReadOnlyList<PermitDocument> Permits)
{
    public static TariffsDocument From(SiteTariffs tariffs)
    {
        var rules = tariffs.EvBay;
        return new TariffsDocument(
            [.. tariffs.Parking.Select(t => new ParkingTariffDocument(
                t.Id,
                Instant(t.ValidFrom),
                Instant(t.ValidTo),
                t.Vat,
                Durations.Format(t.FreeFirst),
                t.DailyCap,
                t.StayCap,
                t.UnknownEntryCharge,
                [.. t.Bands.Select(b => new ParkingBandDocument(
                    b.Name, b.From is { } from ? TariffText.Time(from) : null, b.To is { } to ? TariffText.Time(to) : null, Days(b.Days), b.PricePerUnit, Durations.Format(b.Unit)))]))],
            [.. tariffs.Charging.Select(t => new ChargingTariffDocument(
                t.Id,
                Instant(t.ValidFrom),
                Instant(t.ValidTo),
                t.Chargers.Count == 0 ? null : [.. t.Chargers.Select(c => c.Value)],
                Limit(t.MinPrice, t.MinPriceInclVat),
                Limit(t.MaxPrice, t.MaxPriceInclVat),
                t.MinPrice is null && t.MaxPrice is null && t.Vat == 0 ? null : t.Vat,
                [.. t.Elements.Select(e => new TariffElementDocument(
                    [.. e.PriceComponents.Select(c => new PriceComponentDocument(TariffText.Dimension(c.Type), c.Price, c.Vat, c.StepSize))],
                    Restrictions(e.Restrictions)))])
            {
                Type = t.Type is { } type ? OcpiNames.Of(type) : null,
                Currency = t.Currency,
                CountryCode = t.CountryCode,
                PartyId = t.PartyId,
                TariffAltText = t.AltText.Count == 0 ? null : [.. t.AltText.Select(x => new DisplayTextDocument(x.Language, x.Text))],
                TariffAltUrl = t.AltUrl,
                EnergyMix = t.EnergyMix is { } mix ? JsonNode.Parse(mix) : null,
                LastUpdated = Instant(t.LastUpdated),
            })],
            new EvBayRulesDocument(
                Durations.Format(rules.ChargingStartGrace),
                rules.ChargingWaiverPercent,
                rules.IdleFeePerMinute,
                rules.IdleCap,
                rules.IdleVat,
                Durations.Format(rules.SuspendedThreshold)),
            [.. tariffs.Permits.Select(p => new PermitDocument(p.Plate, Instant(p.ValidFrom), Instant(p.ValidTo), p.Note))]);
    }

    /// <summary>The document as indented camelCase JSON, which <see cref="SiteFile.ParseTariffs"/> reads back.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, SiteDocumentJsonContext.Default.TariffsDocument);

    private static string? Instant(DateTimeOffset? at) => at is { } value ? TariffText.Instant(value) : null;

    /// <summary>A min or max price: the amount excluding VAT, or OCPI's Price object when the amount including VAT is given too.</summary>
    private static JsonNode? Limit(decimal? excl, decimal? incl) => (excl, incl) switch
    {
        (null, _) => null,
        ({ } e, null) => JsonValue.Create(e),
        ({ } e, { } i) => new JsonObject { ["exclVat"] = e, ["inclVat"] = i },
    };

    private static IReadOnlyList<string>? Days(IReadOnlyList<DayOfWeek> days) => days.Count == 0 ? null : [.. days.Select(TariffText.Day)];

    private static RestrictionsDocument? Restrictions(TariffRestrictions? r)
    {
        if (r is null)
        {
            return null;
        }

        var document = new RestrictionsDocument(
            r.StartTime is { } st ? TariffText.Time(st) : null,
            r.EndTime is { } et ? TariffText.Time(et) : null,
            r.StartDate is { } sd ? TariffText.Date(sd) : null,
            r.EndDate is { } ed ? TariffText.Date(ed) : null,
            r.MinKwh,
            r.MaxKwh,
            r.MinPowerKw,
            r.MaxPowerKw,
            r.MinDurationSeconds is { } min ? Durations.Format(TimeSpan.FromSeconds(min)) : null,
            r.MaxDurationSeconds is { } max ? Durations.Format(TimeSpan.FromSeconds(max)) : null,
            Days(r.DaysOfWeek))
        {
            MinCurrent = r.MinCurrent,
            MaxCurrent = r.MaxCurrent,
            Reservation = r.Reservation is { } reservation ? OcpiNames.Of(reservation) : null,
        };
        return document == RestrictionsDocument.None ? null : document;
    }
}

/// <param name="Bands">The first band whose days and hours hold prices a moment.</param>
public sealed record ParkingTariffDocument(
    string Id, string? ValidFrom, string? ValidTo, decimal Vat, string FreeFirst, decimal? DailyCap, decimal? StayCap, decimal UnknownEntryCharge, IReadOnlyList<ParkingBandDocument> Bands);

/// <param name="From">Local time "HH:mm"; absent: from midnight.</param>
/// <param name="To">Local time "HH:mm"; absent: to the end of the day.</param>
/// <param name="Days">MONDAY..SUNDAY; absent: every day.</param>
public sealed record ParkingBandDocument(string Name, string? From, string? To, IReadOnlyList<string>? Days, decimal PricePerUnit, string Unit);

/// <summary>
/// OCPI 2.2.1's Tariff with camelCase field names; <c>minPrice</c>/<c>maxPrice</c> are the amount excluding VAT, or
/// OCPI's Price (<c>exclVat</c>, <c>inclVat</c>) when the amount including VAT was given; <c>vat</c> is ParkCharge's older
/// way to give the VAT of those amounts. <c>chargers</c> is ParkCharge's: which of the site's chargers use the tariff.
/// </summary>
public sealed record ChargingTariffDocument(
    string Id, string? StartDateTime, string? EndDateTime, IReadOnlyList<string>? Chargers, JsonNode? MinPrice, JsonNode? MaxPrice, decimal? Vat, IReadOnlyList<TariffElementDocument> Elements)
{
    public string? Type { get; init; }

    public string? Currency { get; init; }

    public string? CountryCode { get; init; }

    public string? PartyId { get; init; }

    public IReadOnlyList<DisplayTextDocument>? TariffAltText { get; init; }

    public string? TariffAltUrl { get; init; }

    public JsonNode? EnergyMix { get; init; }

    public string? LastUpdated { get; init; }
}

public sealed record DisplayTextDocument(string Language, string Text);

public sealed record TariffElementDocument(IReadOnlyList<PriceComponentDocument> PriceComponents, RestrictionsDocument? Restrictions);

/// <param name="Type">ENERGY, FLAT, TIME or PARKING_TIME.</param>
/// <param name="StepSize">Wh for ENERGY, seconds for TIME and PARKING_TIME.</param>
public sealed record PriceComponentDocument(string Type, decimal Price, decimal Vat, int StepSize);

/// <param name="MinPower">kW, as OCPI's min_power.</param>
/// <param name="MinDuration">A duration (OCPI counts seconds: <c>1800</c> and <c>30m</c> are the same).</param>
public sealed record RestrictionsDocument(
    string? StartTime, string? EndTime, string? StartDate, string? EndDate, decimal? MinKwh, decimal? MaxKwh, decimal? MinPower, decimal? MaxPower,
    string? MinDuration, string? MaxDuration, IReadOnlyList<string>? DayOfWeek)
{
    public static readonly RestrictionsDocument None = new(null, null, null, null, null, null, null, null, null, null, null);

    /// <summary>A, summed over phases, as OCPI's min_current.</summary>
    public decimal? MinCurrent { get; init; }

    public decimal? MaxCurrent { get; init; }

    /// <summary>RESERVATION or RESERVATION_EXPIRES.</summary>
    public string? Reservation { get; init; }
}

public sealed record EvBayRulesDocument(string ChargingStartGrace, decimal ChargingWaiverPercent, decimal IdleFeePerMinute, decimal? IdleCap, decimal IdleVat, string SuspendedThreshold);

/// <param name="Plate">Normalised: upper-case letters and digits.</param>
public sealed record PermitDocument(string Plate, string? ValidFrom, string? ValidTo, string? Note);
/// <summary>The <c>automation</c> section of a site file.</summary>
public sealed record AutomationDocument(AutochargeDocument? Autocharge, PermitEndDocument? StopAtPermitEnd, MaxChargingTimeDocument? MaxChargingTime, PowerLimitDocument? PowerLimit)
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
        var maxTime = a.MaxChargingTime != defaults.MaxChargingTime
            ? new MaxChargingTimeDocument(a.MaxChargingTime.Enabled, Durations.Format(a.MaxChargingTime.Limit), Durations.Format(a.MaxChargingTime.Notice))
            : null;
        var power = a.PowerLimit != defaults.PowerLimit
            ? new PowerLimitDocument(a.PowerLimit.Enabled, a.PowerLimit.LimitKw, a.PowerLimit.MinimumKw, a.PowerLimit.Unit.ToString(), a.PowerLimit.Voltage, a.PowerLimit.Phases)
            : null;
        return autocharge is null && stop is null && maxTime is null && power is null ? null : new AutomationDocument(autocharge, stop, maxTime, power);
    }
}

public sealed record AutochargeDocument(bool Enabled, string? IdToken, bool Permits, bool LearnedTokens, IReadOnlyList<AutochargePlateDocument> Plates);

public sealed record AutochargePlateDocument(string Plate, string? IdToken);

public sealed record PermitEndDocument(bool Enabled, string Notice);

public sealed record MaxChargingTimeDocument(bool Enabled, string Limit, string Notice);

public sealed record PowerLimitDocument(bool Enabled, decimal LimitKw, decimal MinimumKw, string Unit, decimal Voltage, int Phases);

/// <summary>The <c>inferredStays</c> section of a site file (every field written, so a document read back shows the settings in force).</summary>
public sealed record InferredStaysDocument(bool Enabled, string LookBack, string LeftBayGrace, string OpenLimit, bool BillInferredEntry)
{
    /// <summary>Null when every setting is the default (or the configuration predates inferred stays).</summary>
    public static InferredStaysDocument? From(InferredStaySettings? s) => s is null || s == new InferredStaySettings() ? null : new(
        s.Enabled, Durations.Format(s.LookBack), Durations.Format(s.LeftBayGrace), Durations.Format(s.OpenLimit), s.BillInferredEntry);
}

/// <summary>The <c>cameraHealth</c> section of a site file (every field written, so a document read back shows the limits in force).</summary>
public sealed record CameraHealthDocument(
    string SilentAfter,
    OpeningHoursDocument? OpeningHours,
    int SilentAmidTraffic,
    int SilentAmidCharges,
    string MinimumSilence,
    string MaxClockOffset,
    double DegradedShare,
    int QualityWindow)
{
    /// <summary>Null when every setting is the default.</summary>
    public static CameraHealthDocument? From(CameraHealthSettings? h) => h is null || h == new CameraHealthSettings() ? null : new(
        Durations.Format(h.SilentAfter),
        h.OpeningHours is { } hours ? new OpeningHoursDocument(Time(hours.From, endOfDay: false), Time(hours.To, endOfDay: hours.To == TimeOnly.MinValue)) : null,
        h.SilentAmidTraffic,
        h.SilentAmidCharges,
        Durations.Format(h.MinimumSilence),
        Durations.Format(h.MaxClockOffset),
        h.DegradedShare,
        h.QualityWindow);

    private static string Time(TimeOnly time, bool endOfDay) => endOfDay ? "24:00" : time.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Daily opening hours, local times of day (<c>24:00</c> for the end of the day).</summary>
public sealed record OpeningHoursDocument(string From, string To);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SiteDocument))]
[JsonSerializable(typeof(TariffsDocument))]
internal sealed partial class SiteDocumentJsonContext : JsonSerializerContext;
