using System.Text.Json.Serialization;

using ParkCharge.Core.Charging;

namespace ParkCharge.Core.Sites;

/// <summary>
/// A car park's topology and rules: lanes with their cameras, EV bays with their camera and the
/// charger connector that serves each, ordinary bays, and the per-site settings. It reaches the
/// site engine as an observation (<see cref="Parking.SiteConfigured"/>), so every decision knows the
/// topology that was in force when it was made.
/// </summary>
public sealed record SiteConfiguration
{
    public required SiteId Id { get; init; }

    public required string Name { get; init; }

    /// <summary>IANA time zone (e.g. <c>Europe/Berlin</c>): tariff restrictions and daily reports use it.</summary>
    public required string TimeZone { get; init; }

    /// <summary>ISO 4217 currency of the site's bills.</summary>
    public required string Currency { get; init; }

    public IReadOnlyList<LaneConfiguration> Lanes { get; init; } = [];

    public IReadOnlyList<CameraConfiguration> Cameras { get; init; } = [];

    public IReadOnlyList<EvBayConfiguration> EvBays { get; init; } = [];

    /// <summary>Ordinary (non-EV) bays, counted for occupancy.</summary>
    public int OrdinaryBays { get; init; }

    public SiteSettings Settings { get; init; } = new();

    /// <summary>Chargers told the cost otherwise than <see cref="SiteSettings.ChargerCost"/> says for the site: charger id → mode; null when none is.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, ChargerCostMode>? ChargerCostFor { get; init; }

    /// <summary>What a charger is told of the cost: its own mode, else the site's.</summary>
    public ChargerCostMode CostModeOf(ChargerId charger) =>
        ChargerCostFor is { } modes && modes.TryGetValue(charger.Value, out var mode) ? mode : Settings.ChargerCost;

    /// <summary>Parking and charging tariffs, EV-bay rules and permits.</summary>
    public Billing.SiteTariffs Tariffs { get; init; } = new();

    /// <summary>Autocharge by plate, stop at permit end, the site power limit: each switched on or off.</summary>
    public Automation.SiteAutomation Automation { get; init; } = new();

    /// <summary>
    /// When a camera is silent, its clock skewed or its reads degraded. Null for a configuration logged before camera
    /// health existed: its rules stay off there, so that replaying an older release's log decides as it did. A site file
    /// or the API always gives the settings (their defaults when the section is left out).
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public CameraHealthSettings? CameraHealth { get; init; }

    /// <summary>
    /// When a stay whose gate read was missed is opened or closed from other evidence. Null for a configuration logged
    /// before inferred stays existed (they stay off there, so replaying an older release's log decides as it did); a site
    /// file or the API always gives the settings (their defaults when the section is left out).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public InferredStaySettings? InferredStays { get; init; }

    public CameraConfiguration? FindCamera(string id) => Cameras.FirstOrDefault(c => c.Id == id);

    public LaneConfiguration? FindLane(string id) => Lanes.FirstOrDefault(l => l.Id == id);

    public EvBayConfiguration? FindBay(string id) => EvBays.FirstOrDefault(b => b.Id == id);

    /// <summary>The bay a charger's connector (1.6) or EVSE (2.0.1) serves, if any.</summary>
    public EvBayConfiguration? BayServedBy(ChargerId charger, ConnectorRef connector) =>
        EvBays.FirstOrDefault(b => b.Charger == charger && b.Serves(connector));

    /// <summary>Every bay of the site: EV bays and ordinary ones.</summary>
    public int Capacity => EvBays.Count + OrdinaryBays;
}

public enum LaneDirection
{
    Entry,
    Exit,

    /// <summary>One lane for both ways; the camera's direction of travel tells which.</summary>
    Both,
}

public sealed record LaneConfiguration(string Id, LaneDirection Direction, string? Name = null);

/// <summary>The push format a camera (or its LPR software) sends.</summary>
public enum CameraFormat
{
    /// <summary>ParkCharge's own JSON (POST /api/v1/anpr/reads).</summary>
    Generic,

    /// <summary>Plate Recognizer Snapshot/Stream webhooks (JSON or multipart with the image).</summary>
    PlateRecognizer,

    /// <summary>Hikvision ISAPI ANPR event notification (XML, or multipart with JPEG parts), and parking-space events (JSON).</summary>
    Hikvision,

    /// <summary>AXIS License Plate Verifier event push (JSON, or multipart with the picture): new/update/lost per vehicle.</summary>
    Axis,

    /// <summary>Dahua ITC cameras' ITSAPI traffic snapshot (JSON with base64 pictures, or a form with picture parts).</summary>
    Dahua,

    /// <summary>OpenALPR / Rekor Scout agent and webhook posts (<c>alpr_group</c> and <c>alpr_results</c> JSON).</summary>
    OpenAlpr,

    /// <summary>Milesight LPR cameras' HTTP post (JSON with base64 pictures).</summary>
    Milesight,

    /// <summary>Any JSON or XML push, read through the camera's field map (<see cref="CameraConfiguration.Map"/>).</summary>
    Mapped,
}

/// <summary>
/// A plate camera: at a lane (entry/exit gates) or at one or two EV bays. A camera that covers two
/// bays tells them apart by the camera's own zone name or by where the plate is in the picture.
/// </summary>
public sealed record CameraConfiguration
{
    public required string Id { get; init; }

    public CameraFormat Format { get; init; } = CameraFormat.Generic;

    /// <summary>The lane this camera watches (lane cameras only).</summary>
    public string? Lane { get; init; }

    /// <summary>The bays this camera watches (bay cameras only; one or two).</summary>
    public IReadOnlyList<CameraBay> Bays { get; init; } = [];

    /// <summary>SHA-256 of the camera's key (hex). The key itself is never stored.</summary>
    public required string KeyHash { get; init; }

    /// <summary>Overrides the site's minimum read confidence for this camera.</summary>
    public double? MinConfidence { get; init; }

    /// <summary>
    /// What a vehicle moving towards this camera is doing: entering (a camera facing arriving traffic, the
    /// default) or leaving. Cameras that report "approaching"/"leaving" (or forward/reverse) rather than
    /// in/out of the car park need it; on a two-way lane the direction decides entry or exit.
    /// </summary>
    public Parking.TravelDirection Approaching { get; init; } = Parking.TravelDirection.In;

    /// <summary>
    /// For cameras that report the direction of travel as an angle in the picture (Plate Recognizer Stream,
    /// OpenALPR <c>travel_direction</c>): the angle, in the vendor's degrees, of a vehicle entering. A heading
    /// within 90° of it is "in", any other "out"; without it the angle is kept but means no direction.
    /// </summary>
    public double? HeadingIn { get; init; }

    /// <summary>
    /// The IANA time zone the camera's clock is set to, for pushes whose capture time has no offset (Dahua,
    /// Milesight, a field map without one). Without it such times are read in the push's own time-zone field
    /// when it has one, else in the site's time zone.
    /// </summary>
    public string? TimeZone { get; init; }

    /// <summary>How to read this camera's pushes, for the <see cref="CameraFormat.Mapped"/> format.</summary>
    public CameraFieldMap? Map { get; init; }

    public bool IsLaneCamera => Lane is not null;

    /// <summary>The direction of travel a reported direction means at this camera; null when it means none.</summary>
    public Parking.TravelDirection? DirectionOf(ReportedDirection reported) => reported switch
    {
        ReportedDirection.In => Parking.TravelDirection.In,
        ReportedDirection.Out => Parking.TravelDirection.Out,
        ReportedDirection.Approaching => Approaching,
        ReportedDirection.Leaving => Approaching == Parking.TravelDirection.In ? Parking.TravelDirection.Out : Parking.TravelDirection.In,
        _ => null,
    };

    /// <summary>The direction of travel a heading in degrees means at this camera (<see cref="HeadingIn"/>); null without one.</summary>
    public Parking.TravelDirection? DirectionOf(double headingDegrees)
    {
        if (HeadingIn is not { } inbound || !double.IsFinite(headingDegrees))
        {
            return null;
        }

        var difference = Math.Abs(((headingDegrees - inbound) % 360 + 540) % 360 - 180);
        return difference < 90 ? Parking.TravelDirection.In : difference > 90 ? Parking.TravelDirection.Out : null;
    }
}

/// <summary>
/// A direction of travel as cameras report it: in or out of the car park (the camera was told which way is
/// in), or towards or away from the camera (which one is "in" depends on how the camera is mounted,
/// <see cref="CameraConfiguration.Approaching"/>).
/// </summary>
public enum ReportedDirection
{
    In,
    Out,
    Approaching,
    Leaving,
}

/// <summary>
/// A bay seen by a camera. With two bays in view, a read belongs to the bay whose <see cref="Zone"/>
/// the camera names, or whose horizontal band (<see cref="XMin"/>..<see cref="XMax"/>, 0 = left
/// edge of the picture, 1 = right edge) contains the plate's centre.
/// </summary>
public sealed record CameraBay(string Bay, string? Zone = null, double? XMin = null, double? XMax = null)
{
    public bool Contains(double x) => XMin is { } min && XMax is { } max && x >= min && x <= max;
}

/// <summary>An EV bay and the charger connector (1.6) or EVSE (2.0.1) that serves it.</summary>
public sealed record EvBayConfiguration
{
    public required string Id { get; init; }

    public required ChargerId Charger { get; init; }

    /// <summary>OCPP 1.6 connector id, or OCPP 2.0.1 EVSE id: the outlet that serves this bay.</summary>
    public required int Connector { get; init; }

    /// <summary>Bays the charger's cable also reaches (a car in a neighbouring bay can plug in here).</summary>
    public IReadOnlyList<string> Neighbours { get; init; } = [];

    /// <summary>True when <paramref name="connector"/> is this bay's outlet (1.6 connector or 2.0.1 EVSE).</summary>
    public bool Serves(ConnectorRef connector) => (connector.Evse ?? connector.Connector) == Connector;
}

/// <summary>Per-site rules, with the defaults a typical car park starts from.</summary>
public sealed record SiteSettings
{
    /// <summary>How far apart in time a bay read and a plug-in may be and still be bound (±).</summary>
    public TimeSpan BindingWindow { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// A binding at least this confident (0..1) is accepted without an operator; below it, the
    /// charging session goes to the review queue with its candidates.
    /// </summary>
    public double AutoAcceptConfidence { get; init; } = 0.8;

    /// <summary>Reads of one vehicle by one camera less than this apart belong to one sighting.</summary>
    public TimeSpan SightingGap { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Reads below this confidence (0..1) are kept as evidence but never open or close anything on their own.</summary>
    public double MinConfidence { get; init; } = 0.7;

    /// <summary>A vehicle that comes back within this time after leaving continues its session (zero: never).</summary>
    public TimeSpan ReentryWindow { get; init; } = TimeSpan.Zero;

    /// <summary>A session open longer than this is flagged (a missed exit read, or an abandoned vehicle).</summary>
    public TimeSpan MaxStay { get; init; } = TimeSpan.FromDays(3);

    /// <summary>A vehicle in an EV bay without charging for longer than this is an ICE (or non-charging) occupant.</summary>
    public TimeSpan IceLimit { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Minutes of free parking after entry.</summary>
    public TimeSpan EntryGrace { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>After charging finishes, idle fees start after this grace.</summary>
    public TimeSpan IdleGrace { get; init; } = TimeSpan.FromMinutes(10);

    private readonly Privacy.SiteRetention _retention = new();

    /// <summary>How long each kind of personal data is kept (docs/privacy.md).</summary>
    public Privacy.SiteRetention Retention
    {
        get => _retention;

        // A configuration stored before retention existed has none: the defaults (or its retentionDays) stand.
        init => _retention = value ?? _retention;
    }

    /// <summary>
    /// The settled-stay period in days, as configurations written before <see cref="Retention"/> stored it: read
    /// from old logs into <see cref="Privacy.SiteRetention.SettledStays"/>, never written.
    /// </summary>
    public int? RetentionDays
    {
        get => null;
        init
        {
            if (value is { } days)
            {
                _retention = _retention with { SettledStays = TimeSpan.FromDays(days) };
            }
        }
    }

    /// <summary>Keep the images cameras push (off: plates are personal data; images more so).</summary>
    public bool StoreImages { get; init; }

    /// <summary>A camera whose clock is ahead of the server by more than this is not believed; its read gets the arrival time.</summary>
    public TimeSpan MaxClockAhead { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// At most one <c>charging.meter_updated</c> event per charging session per this much event time
    /// (zero: one per meter report). Meter values are all kept either way; only the events are thinned.
    /// </summary>
    public TimeSpan MeterEventInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// What chargers are told of the cost (<see cref="ChargerCostMode"/>), for every charger of the site;
    /// <see cref="SiteConfiguration.ChargerCostFor"/> sets it per charger.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ChargerCostMode ChargerCost { get; init; } = ChargerCostMode.Off;
}

/// <summary>What a charger is told of the cost of its transactions (docs/billing.md, "Tariffs and cost on OCPP 2.1 chargers").</summary>
public enum ChargerCostMode
{
    /// <summary>Nothing: the charger shows what it shows by itself.</summary>
    Off,

    /// <summary>ParkCharge sends the running cost (CostUpdated, 2.0.1 and 2.1) and the final cost (TransactionEvent Ended's totalCost), from the bill.</summary>
    Central,

    /// <summary>
    /// OCPP 2.1: ParkCharge sends the site's tariff (SetDefaultTariff) and the charger calculates the cost itself; no
    /// CostUpdated. Where the tariff cannot be sent exactly (or the charger is not 2.1), as <see cref="Central"/>.
    /// </summary>
    Local,
}
