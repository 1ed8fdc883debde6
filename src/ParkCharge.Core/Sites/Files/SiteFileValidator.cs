using System.Globalization;

using ParkCharge.Core.Billing;
using ParkCharge.Core.Charging;

namespace ParkCharge.Core.Sites.Files;

/// <summary>
/// Turns a site document into a <see cref="SiteConfiguration"/> and the chargers to register, or
/// says everything that is wrong with it. It reads the whole document even after the first error
/// and checks what refers to what (bays, chargers, connectors, camera regions) once all is read.
/// Pure: what it needs from outside (the environment, a camera key's stored form, the check of a
/// camera's field map by the parser that will read its pushes) comes in a <see cref="SiteFileContext"/>,
/// and every problem is returned in the result, never thrown.
/// </summary>
public sealed partial class SiteFileValidator : DocumentFields
{
    private static readonly string[] SiteFields = ["id", "name", "timeZone", "currency", "ordinaryBays", "settings", "lanes", "chargers", "evBays", "bayCameras", "tariffs", "automation", "cameraHealth", "inferredStays"];
    private static readonly string[] LaneFields = ["id", "direction", "name", "cameras"];
    private static readonly string[] LaneCameraFields = ["id", "format", "key", "keyHash", "minConfidence", "timeZone", "approaching", "headingIn", "map"];
    private static readonly string[] BayCameraFields = ["id", "format", "key", "keyHash", "minConfidence", "timeZone", "approaching", "headingIn", "map", "bays"];
    private static readonly string[] CameraBayFields = ["bay", "zone", "region"];
    private static readonly string[] ChargerFields = ["id", "password", "securityProfile", "displayName", "upstreams"];
    private static readonly string[] EvBayFields = ["id", "charger", "connector", "neighbours"];
    private static readonly string[] SettingNames =
        ["bindingWindow", "sightingGap", "minConfidence", "reentryWindow", "maxStay", "iceLimit", "entryGrace", "idleGrace", "retention", "retentionDays", "storeImages", "maxClockAhead", "meterEventInterval", "chargerCost"];

    private static readonly (string Name, ChargerCostMode Value)[] CostModes =
        [("off", ChargerCostMode.Off), ("central", ChargerCostMode.Central), ("local", ChargerCostMode.Local)];

    private static readonly (string Name, LaneDirection Value)[] Directions =
        [("entry", LaneDirection.Entry), ("exit", LaneDirection.Exit), ("both", LaneDirection.Both)];

    private static readonly (string Name, CameraFormat Value)[] Formats =
        [("generic", CameraFormat.Generic), ("platerecognizer", CameraFormat.PlateRecognizer), ("hikvision", CameraFormat.Hikvision), ("axis", CameraFormat.Axis),
         ("dahua", CameraFormat.Dahua), ("openalpr", CameraFormat.OpenAlpr), ("milesight", CameraFormat.Milesight), ("mapped", CameraFormat.Mapped)];

    private readonly SiteFileContext _context;

    // Lanes, cameras, EV bays and chargers share one namespace: events, reports and the API name
    // them by id alone ("EV-01"), so one id must mean one thing.
    private readonly Dictionary<string, string> _ids = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _cameraKeys = new(StringComparer.Ordinal);

    // Every charger and bay id declared, even those whose other fields are wrong: a reference to
    // them is not an error of its own.
    private readonly HashSet<string> _chargerIds = new(StringComparer.Ordinal);
    private readonly List<(string Id, int Line)> _costChargers = [];
    private DocumentMapping? _settingsNode;
    private Dictionary<string, ChargerCostMode>? _costFor;
    private readonly HashSet<string> _bayIds = new(StringComparer.Ordinal);

    // What the warnings look at, also taken from entries with errors, so that one mistake (a
    // camera's missing key) does not bring a warning about something else (its bays unwatched).
    private readonly HashSet<string> _watchedBays = new(StringComparer.Ordinal);
    private readonly HashSet<ChargerId> _servingChargers = [];

    /// <summary>Camera keys authenticate pushes; shorter ones could be guessed.</summary>
    public const int MinCameraKeyLength = 16;

    // Chargers already registered at the site (when a document comes through the API): bays may
    // refer to them without listing them, and a listed one may omit its password to keep it.
    private readonly IReadOnlySet<string> _registeredChargers;

    private SiteFileValidator(SiteFileContext context)
        : base(context.Environment)
    {
        _context = context;
        _registeredChargers = context.RegisteredChargers;
    }

    /// <summary>The site a document describes, or every problem with it (with the warnings either way).</summary>
    public static SiteFileResult Validate(DocumentNode root, SiteFileContext context)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(context);
        return new SiteFileValidator(context).Site(root);
    }

    private SiteFileResult Site(DocumentNode root)
    {
        if (root is not DocumentMapping site)
        {
            var what = root is DocumentScalar { IsNull: true } ? "the file has no site in it" : $"a site file is a mapping of {string.Join(", ", SiteFields)}; this is {Describe(root)}";
            Error("", what, root.Line);
            return Result(null, []);
        }

        CheckFields(site, "", SiteFields, "field");
        var id = SiteIdentity(site);
        var name = Text(site, "", "name", required: true);
        if (name is not null && string.IsNullOrWhiteSpace(name))
        {
            Error("name", "must not be empty", site.Find("name")!.Line);
        }

        var timeZone = TimeZone(site);
        var currency = Currency(site);
        var ordinaryBays = WholeNumber(site, "", "ordinaryBays", required: false);
        if (ordinaryBays < 0)
        {
            Error("ordinaryBays", $"must not be negative (it is {ordinaryBays})", site.Find("ordinaryBays")!.Line);
        }

        var settings = Settings(site);
        var cameras = new List<CameraConfiguration>();
        var lanes = Lanes(site, cameras);
        var chargers = Chargers(site);
        var bays = EvBays(site);
        var bayCameras = BayCameras(site);
        CrossCheck(chargers, bays, bayCameras);
        var automation = Automation(site);
        var cameraHealth = CameraHealth(site);
        var inferredStays = InferredStays(site);
        cameras.AddRange(bayCameras.Select(c => c.Camera));
        var tariffs = SiteTariffsOf(site, currency, timeZone);
        CheckCostChargers();
        WarnUnsendableTariffs(settings, tariffs, currency);

        if (FoundErrors.Count > 0 || id is null || name is null || timeZone is null || currency is null)
        {
            return Result(null, []);
        }

        var configuration = new SiteConfiguration
        {
            Id = id.Value,
            Name = name,
            TimeZone = timeZone,
            Currency = currency,
            Lanes = lanes,
            Cameras = cameras,
            EvBays = [.. bays.Select(b => b.Bay)],
            OrdinaryBays = ordinaryBays ?? 0,
            Settings = settings,
            ChargerCostFor = _costFor,
            Tariffs = tariffs ?? new(),
            Automation = automation,
            CameraHealth = cameraHealth,
            InferredStays = inferredStays,
        };
        return Result(configuration, [.. chargers.Select(c => c.Declaration)], declaresTariffs: tariffs is not null);
    }

    private SiteFileResult Result(SiteConfiguration? configuration, IReadOnlyList<SiteChargerDeclaration> chargers, bool declaresTariffs = false) => new()
    {
        Configuration = configuration,
        Chargers = chargers,
        DeclaresTariffs = declaresTariffs,
        Errors = [.. FoundErrors.OrderBy(p => p.Line ?? int.MaxValue)],
        Warnings = [.. FoundWarnings.OrderBy(p => p.Line ?? int.MaxValue)],
    };

    // --- ids ---------------------------------------------------------------------------------------------

    /// <summary>The id of a lane, camera or EV bay: it appears in URLs and reports, so it is kept to what travels safely.</summary>
    private string? ItemId(DocumentMapping mapping, string path, string what)
    {
        var id = Text(mapping, path, "id", required: true);
        if (id is null)
        {
            return null;
        }

        var line = mapping.Find("id")!.Line;
        if (id.Length is 0 or > 64 || id.Any(c => c is <= ' ' or >= (char)127 or '/' or ':' or '?' or '#' or '%'))
        {
            Error(Paths.Field(path, "id"), $"'{id}' is not a valid {what} id (1 to 64 printable ASCII characters without spaces or / : ? # %)", line);
            return null;
        }

        Declare(id, path, line);
        return id;
    }

    private ChargerId? ChargerIdentity(DocumentMapping mapping, string path, string field, bool declare)
    {
        var id = Text(mapping, path, field, required: true);
        if (id is null)
        {
            return null;
        }

        var line = mapping.Find(field)!.Line;
        if (!ChargerId.IsValid(id))
        {
            Error(Paths.Field(path, field), $"'{id}' is not a charger id (1 to 48 printable ASCII characters without spaces or / : ? # %)", line);
            return null;
        }

        if (declare)
        {
            Declare(id, path, line);
        }

        return new ChargerId(id);
    }

    /// <summary>
    /// Claims an id for the item at <paramref name="path"/>. A clash is an error, but the item is
    /// still read (and its id still counts as declared) so that what refers to it is not wrongly
    /// reported missing.
    /// </summary>
    private void Declare(string id, string path, int line)
    {
        if (!_ids.TryAdd(id, path))
        {
            Error(Paths.Field(path, "id"), $"'{id}' is already the id of {_ids[id]}", line);
        }
    }

    // --- the site's own fields ---------------------------------------------------------------------

    private SiteId? SiteIdentity(DocumentMapping site)
    {
        var id = Text(site, "", "id", required: true);
        if (id is null)
        {
            return null;
        }

        if (!SiteId.IsValid(id))
        {
            Error("id", $"'{id}' is not a site id (1 to 64 characters of a-z, 0-9, '-' and '_')", site.Find("id")!.Line);
            return null;
        }

        return new SiteId(id);
    }

    private string? TimeZone(DocumentMapping site) => IanaTimeZone(site, "", required: true);

    /// <summary>The <c>timeZone</c> field of a mapping: an IANA time zone the machine knows.</summary>
    private string? IanaTimeZone(DocumentMapping mapping, string parentPath, bool required)
    {
        var zone = Text(mapping, parentPath, "timeZone", required);
        if (zone is null)
        {
            return null;
        }

        var path = Paths.Field(parentPath, "timeZone");
        var line = mapping.Find("timeZone")!.Line;
        if (TimeZoneInfo.TryFindSystemTimeZoneById(zone, out var found))
        {
            // .NET also finds Windows ids ("W. Europe Standard Time") through ICU; the site keeps IANA names.
            if (found.HasIanaId)
            {
                return zone;
            }

            var iana = TimeZoneInfo.TryConvertWindowsIdToIanaId(zone, out var converted) ? $"; use its IANA name '{converted}'" : "";
            Error(path, $"'{zone}' is a Windows time zone id, not an IANA one{iana}", line);
            return null;
        }

        var known = TimeZoneInfo.GetSystemTimeZones().Select(z => z.Id).ToList();
        if (known.Count <= 1)
        {
            Error(path, $"'{zone}' cannot be checked: this machine has no time zone data (install tzdata)", line);
            return null;
        }

        Error(path, $"'{zone}' is not an IANA time zone{DidYouMean(zone, known)}", line);
        return null;
    }

    private string? Currency(DocumentMapping site)
    {
        var currency = Text(site, "", "currency", required: true);
        if (currency is null || Iso4217.IsCurrency(currency))
        {
            return currency;
        }

        var hint = Iso4217.IsCurrency(currency.ToUpperInvariant()) ? $"; did you mean {currency.ToUpperInvariant()}?"
            : currency.Length > 3 && Iso4217.IsCurrency(currency[..3].ToUpperInvariant()) ? $"; did you mean {currency[..3].ToUpperInvariant()}?"
            : "";
        Error("currency", $"'{currency}' is not an ISO 4217 code{hint}", site.Find("currency")!.Line);
        return null;
    }

    private SiteSettings Settings(DocumentMapping site)
    {
        var defaults = new SiteSettings();
        if (Mapping(site, "", "settings") is not { } settings)
        {
            return defaults;
        }

        CheckFields(settings, "settings", SettingNames, "setting");
        _settingsNode = settings;
        var (costMode, costFor) = ChargerCost(settings);
        _costFor = costFor.Count == 0 ? null : costFor;
        var minConfidence = Confidence(settings, "settings");
        var retention = Retention(settings, defaults.Retention);

        var maxStay = NonNegativeDuration(settings, "maxStay");
        if (maxStay == TimeSpan.Zero)
        {
            Error("settings.maxStay", "must be longer than zero (every session would be over it at once)", settings.Find("maxStay")!.Line);
        }

        return new SiteSettings
        {
            BindingWindow = NonNegativeDuration(settings, "bindingWindow") ?? defaults.BindingWindow,
            SightingGap = NonNegativeDuration(settings, "sightingGap") ?? defaults.SightingGap,
            MinConfidence = minConfidence ?? defaults.MinConfidence,
            ReentryWindow = NonNegativeDuration(settings, "reentryWindow") ?? defaults.ReentryWindow,
            MaxStay = maxStay ?? defaults.MaxStay,
            IceLimit = NonNegativeDuration(settings, "iceLimit") ?? defaults.IceLimit,
            EntryGrace = NonNegativeDuration(settings, "entryGrace") ?? defaults.EntryGrace,
            IdleGrace = NonNegativeDuration(settings, "idleGrace") ?? defaults.IdleGrace,
            Retention = retention,
            StoreImages = Boolean(settings, "settings", "storeImages") ?? defaults.StoreImages,
            MaxClockAhead = NonNegativeDuration(settings, "maxClockAhead") ?? defaults.MaxClockAhead,
            MeterEventInterval = NonNegativeDuration(settings, "meterEventInterval") ?? defaults.MeterEventInterval,
            ChargerCost = costMode ?? defaults.ChargerCost,
        };
    }

    /// <summary>
    /// <c>chargerCost: off | central | local</c> for every charger, or <c>{ default: ..., chargers: { ID: ..., ... } }</c>
    /// with a mode per charger (the ids are checked against the chargers once they are read).
    /// </summary>
    private (ChargerCostMode? Default, Dictionary<string, ChargerCostMode> For) ChargerCost(DocumentMapping settings)
    {
        var perCharger = new Dictionary<string, ChargerCostMode>(StringComparer.Ordinal);
        if (settings.Find("chargerCost") is not { } entry)
        {
            return (null, perCharger);
        }

        if (entry.Value is not DocumentMapping cost)
        {
            return (Choice(settings, "settings", "chargerCost", CostModes, required: false), perCharger);
        }

        CheckFields(cost, "settings.chargerCost", ["default", "chargers"], "field");
        var mode = Choice(cost, "settings.chargerCost", "default", CostModes, required: false);
        if (Mapping(cost, "settings.chargerCost", "chargers") is { } chargers)
        {
            foreach (var charger in chargers.Entries)
            {
                if (Choice(chargers, "settings.chargerCost.chargers", charger.Key, CostModes, required: true) is { } chosen)
                {
                    perCharger[charger.Key] = chosen;
                    _costChargers.Add((charger.Key, charger.Line));
                }
            }
        }

        return (mode, perCharger);
    }

    /// <summary>The chargers <c>settings.chargerCost.chargers</c> names must be the site's.</summary>
    private void CheckCostChargers()
    {
        var known = _chargerIds.Concat(_registeredChargers).Distinct(StringComparer.Ordinal).ToList();
        foreach (var (id, line) in _costChargers.Where(c => !known.Contains(c.Id, StringComparer.Ordinal)))
        {
            Error(Paths.Field("settings.chargerCost.chargers", id), $"charger '{id}' is not a charger of this site (declare it under chargers){DidYouMean(id, known)}", line);
        }
    }

    /// <summary>
    /// Chargers that calculate the cost themselves (<c>local</c>) get the site's charging tariffs as OCPP 2.1 tariffs;
    /// one that a charger could not price exactly as the bill is not sent (those chargers get the running cost from
    /// ParkCharge instead): said here, so the operator knows before a driver sees it.
    /// </summary>
    private void WarnUnsendableTariffs(SiteSettings settings, SiteTariffs? tariffs, string? currency)
    {
        if (tariffs is null || currency is null || (settings.ChargerCost != ChargerCostMode.Local && _costFor?.ContainsValue(ChargerCostMode.Local) != true))
        {
            return;
        }

        var line = (_settingsNode?.Find("chargerCost")?.Line);
        foreach (var tariff in tariffs.Charging)
        {
            var mapping = ChargerTariffs.From(tariff, currency);
            if (!mapping.Sendable)
            {
                Warn("settings.chargerCost", $"charging tariff '{tariff.Id}' is not sent to chargers that calculate the cost (local): {string.Join("; ", mapping.Problems)}; they get the running cost from ParkCharge instead", line);
            }
        }
    }

    private TimeSpan? NonNegativeDuration(DocumentMapping settings, string name)
    {
        var duration = Duration(settings, "settings", name);
        if (duration < TimeSpan.Zero)
        {
            Error(Paths.Field("settings", name), $"must not be negative (it is {Durations.Format(duration.Value)})", settings.Find(name)!.Line);
            return null;
        }

        return duration;
    }

    // --- lanes and cameras ---------------------------------------------------------------------------

    private List<LaneConfiguration> Lanes(DocumentMapping site, List<CameraConfiguration> cameras)
    {
        var lanes = new List<LaneConfiguration>();
        foreach (var (lane, path) in Items(site, "", "lanes", "a lane"))
        {
            CheckFields(lane, path, LaneFields, "field");
            var id = ItemId(lane, path, "lane");
            var direction = Choice(lane, path, "direction", Directions, required: true);
            var name = Text(lane, path, "name", required: false);
            var seen = 0;
            foreach (var (camera, cameraPath) in Items(lane, path, "cameras", "a camera"))
            {
                seen++;
                CheckFields(camera, cameraPath, LaneCameraFields, "field");
                if (Camera(camera, cameraPath) is { } configuration && id is not null)
                {
                    cameras.Add(configuration with { Lane = id });
                }
            }

            if (seen == 0)
            {
                Warn(path, $"lane '{id}' has no camera: vehicles using it are not seen", lane.Line);
            }

            if (id is not null && direction is not null)
            {
                lanes.Add(new LaneConfiguration(id, direction.Value, name));
            }
        }

        return lanes;
    }

    /// <summary>What lane and bay cameras have in common: id, format, key, confidence, how the camera is mounted and its field map.</summary>
    private CameraConfiguration? Camera(DocumentMapping camera, string path)
    {
        var id = ItemId(camera, path, "camera");
        var format = Choice(camera, path, "format", Formats, required: false) ?? CameraFormat.Generic;
        var keyHash = CameraKeyHash(camera, path);
        var minConfidence = Confidence(camera, path);
        var (approaching, headingIn, timeZone) = Mounting(camera, path);
        var map = FieldMap(camera, path, format);
        return id is null || keyHash is null
            ? null
            : new CameraConfiguration
            {
                Id = id,
                Format = format,
                KeyHash = keyHash,
                MinConfidence = minConfidence,
                Approaching = approaching,
                HeadingIn = headingIn,
                TimeZone = timeZone,
                Map = map,
            };
    }

    /// <summary>
    /// A camera's key, hashed at once (<see cref="SiteFileContext.HashCameraKey"/>); or the hash itself, as a document read
    /// back from the API by an admin shows it (<c>hmac-sha256:…</c>, or the bare SHA-256 that nodes stored
    /// before), so such a document can be sent back unchanged. No message ever repeats a key.
    /// </summary>
    private string? CameraKeyHash(DocumentMapping camera, string path)
    {
        var key = Text(camera, path, "key", required: false);
        var hash = Text(camera, path, "keyHash", required: false);
        var keyPath = Paths.Field(path, "key");
        if (key is not null && hash is not null)
        {
            Error(keyPath, "give key or keyHash, not both", camera.Find("key")!.Line);
            return null;
        }

        if (key is null && hash is null)
        {
            if (camera.Find("key") is null && camera.Find("keyHash") is null)
            {
                Error(keyPath, $"is required: the camera's key, {MinCameraKeyLength} characters or more (tip: key: \"${{CAMERA_KEY}}\" takes it from the environment)", camera.Line);
            }
            else if (camera.Find("key") is { } entry && entry.Value is DocumentScalar { IsNull: true })
            {
                Error(keyPath, "is required", entry.Line);
            }

            return null;
        }

        if (key is not null)
        {
            var line = camera.Find("key")!.Line;
            if (key.Length < MinCameraKeyLength)
            {
                Error(keyPath, $"a camera key is at least {MinCameraKeyLength} characters (this one has {key.Length}); it is the camera's password", line);
                return null;
            }

            if (key.Any(c => c is <= ' ' or > '~'))
            {
                Error(keyPath, "a camera key is printable ASCII without spaces (cameras send it in an HTTP header)", line);
                return null;
            }

            hash = (_context.HashCameraKey ?? throw new InvalidOperationException("Camera keys are validated with a key hasher.")).Invoke(key);
            return Unique(hash, path, keyPath, line);
        }

        var hashLine = camera.Find("keyHash")!.Line;
        var stored = hash!.StartsWith(CameraKeyHashes.Prefix, StringComparison.OrdinalIgnoreCase)
            ? CameraKeyHashes.Prefix + hash[CameraKeyHashes.Prefix.Length..].ToLowerInvariant()
            : hash.ToLowerInvariant();
        if (!CameraKeyHashes.IsStoredForm(stored))
        {
            Error(Paths.Field(path, "keyHash"), "is the key's hash as a site document read back from the API shows it (hmac-sha256: and 64 hexadecimal digits, or a SHA-256 as 64 hexadecimal digits)", hashLine);
            return null;
        }

        return Unique(stored, path, Paths.Field(path, "keyHash"), hashLine);
    }

    private string? Unique(string keyHash, string cameraPath, string path, int line)
    {
        if (_cameraKeys.TryGetValue(keyHash, out var other))
        {
            Error(path, $"is the same key as {other}'s; each camera needs its own, or a read could not tell which camera sent it", line);
            return null;
        }

        _cameraKeys[keyHash] = cameraPath;
        return keyHash;
    }

    private double? Confidence(DocumentMapping mapping, string path)
    {
        var confidence = Number(mapping, path, "minConfidence");
        if (confidence is < 0 or > 1)
        {
            Error(Paths.Field(path, "minConfidence"), $"is a fraction from 0 to 1 (it is {confidence.Value.ToString(CultureInfo.InvariantCulture)})", mapping.Find("minConfidence")!.Line);
            return null;
        }

        return confidence;
    }

    // --- chargers and EV bays -------------------------------------------------------------------------

    private sealed record DeclaredCharger(SiteChargerDeclaration Declaration, string Path, int Line);

    private List<DeclaredCharger> Chargers(DocumentMapping site)
    {
        var chargers = new List<DeclaredCharger>();
        foreach (var (charger, path) in Items(site, "", "chargers", "a charger"))
        {
            CheckFields(charger, path, ChargerFields, "field");
            var id = ChargerIdentity(charger, path, "id", declare: true);
            if (id is not null)
            {
                _chargerIds.Add(id.Value.Value);
            }

            var password = Text(charger, path, "password", required: false);
            var profile = WholeNumber(charger, path, "securityProfile", required: false);
            var displayName = Text(charger, path, "displayName", required: false);
            var valid = id is not null;
            valid &= Upstreams(charger, path, id, out var upstreams);

            // OCPP 2.0.1 BasicAuthPassword is 16 to 40 characters; the 1.6 security whitepaper's AuthorizationKey 16+ bytes.
            if (password is not null && (password.Length is < 16 or > 40 || password.Any(c => c is < ' ' or > '~')))
            {
                Error(Paths.Field(path, "password"), "a charger password is 16 to 40 printable ASCII characters (OCPP BasicAuthPassword)", charger.Find("password")!.Line);
                valid = false;
            }

            if (profile is not null and not (0 or 1 or 2 or 3))
            {
                Error(Paths.Field(path, "securityProfile"), $"security profiles 0 (none), 1 (Basic auth), 2 (Basic auth over TLS) and 3 (TLS client certificate) are supported, not {profile}", charger.Find("securityProfile")!.Line);
                valid = false;
            }
            else if (profile == 3 && password is not null)
            {
                Error(Paths.Field(path, "securityProfile"), "security profile 3 authenticates the charger by its TLS client certificate; remove the password", charger.Find("securityProfile")!.Line);
                valid = false;
            }
            else if (profile is 1 or 2 && charger.Find("password") is null or { Value: DocumentScalar { IsNull: true } } && !(id is { } known && _registeredChargers.Contains(known.Value)))
            {
                Error(Paths.Field(path, "securityProfile"), $"security profile {profile} needs a password (the charger authenticates with HTTP Basic auth)", charger.Find("securityProfile")!.Line);
                valid = false;
            }
            else if (profile == 0 && password is not null)
            {
                Error(Paths.Field(path, "securityProfile"), "security profile 0 means no password; remove the password or use profile 1 or 2", charger.Find("securityProfile")!.Line);
                valid = false;
            }

            if (valid)
            {
                // As the charger API: a password without a profile means profile 1.
                var declaration = new SiteChargerDeclaration(id!.Value, PasswordHash: null, profile ?? (password is null ? 0 : 1), displayName)
                {
                    Password = password,
                    Upstreams = upstreams,
                };
                chargers.Add(new DeclaredCharger(declaration, path, charger.Line));
            }
        }

        return chargers;
    }

    private sealed record DeclaredBay(EvBayConfiguration Bay, string Path, int Line, DocumentMapping Node, IReadOnlyList<(string Bay, string Path, int Line)> Neighbours);

    private List<DeclaredBay> EvBays(DocumentMapping site)
    {
        var bays = new List<DeclaredBay>();
        foreach (var (bay, path) in Items(site, "", "evBays", "an EV bay"))
        {
            CheckFields(bay, path, EvBayFields, "field");
            var id = ItemId(bay, path, "EV bay");
            if (id is not null)
            {
                _bayIds.Add(id);
            }

            var charger = ChargerIdentity(bay, path, "charger", declare: false);
            if (charger is not null)
            {
                _servingChargers.Add(charger.Value);
            }

            var connector = WholeNumber(bay, path, "connector", required: true);
            if (connector < 1)
            {
                // 1.6 connector 0 is the charger as a whole, not an outlet; 2.0.1 EVSE ids start at 1 too.
                Error(Paths.Field(path, "connector"), $"is the OCPP 1.6 connector id or 2.0.1 EVSE id of the outlet, 1 or more (not {connector})", bay.Find("connector")!.Line);
                connector = null;
            }

            var neighbours = new List<(string, string, int)>();
            foreach (var (node, neighbourPath) in Elements(bay, path, "neighbours"))
            {
                if (ScalarText(node, neighbourPath, "a bay id") is { } neighbour)
                {
                    neighbours.Add((neighbour, neighbourPath, node.Line));
                }
            }

            if (id is not null && charger is not null && connector is not null)
            {
                var configuration = new EvBayConfiguration { Id = id, Charger = charger.Value, Connector = connector.Value, Neighbours = [.. neighbours.Select(n => n.Item1)] };
                bays.Add(new DeclaredBay(configuration, path, bay.Line, bay, neighbours));
            }
        }

        return bays;
    }

    // --- bay cameras ----------------------------------------------------------------------------------

    private sealed record DeclaredBayCamera(CameraConfiguration Camera, string Path, IReadOnlyList<(string Bay, string Path, int Line)> BayReferences);

    private List<DeclaredBayCamera> BayCameras(DocumentMapping site)
    {
        var cameras = new List<DeclaredBayCamera>();
        foreach (var (camera, path) in Items(site, "", "bayCameras", "a bay camera"))
        {
            CheckFields(camera, path, BayCameraFields, "field");
            var configuration = Camera(camera, path);
            var bays = new List<CameraBay>();
            var references = new List<(string, string, int)>();
            var bayPaths = new List<string>();
            var bayNodes = new List<DocumentNode>();
            var listed = 0;
            var errorsBefore = FoundErrors.Count;
            foreach (var (node, bayPath) in Elements(camera, path, "bays"))
            {
                listed++;
                if (CameraBay(node, bayPath) is not { } bay)
                {
                    continue;
                }

                _watchedBays.Add(bay.Bay);

                if (bays.Any(b => b.Bay == bay.Bay))
                {
                    Error(Paths.Field(bayPath, "bay"), $"bay '{bay.Bay}' is listed twice for this camera", node.Line);
                    continue;
                }

                bays.Add(bay);
                bayPaths.Add(bayPath);
                bayNodes.Add(node);
                references.Add((bay.Bay, node is DocumentMapping ? Paths.Field(bayPath, "bay") : bayPath, Line(node, "bay")));
            }

            var bayList = camera.Find("bays");
            if (bayList is null || bayList.Value is DocumentScalar { IsNull: true })
            {
                Error(Paths.Field(path, "bays"), "is required: the one or two EV bays this camera watches", bayList?.Line ?? camera.Line);
            }
            else if (bayList.Value is DocumentSequence && listed == 0)
            {
                Error(Paths.Field(path, "bays"), "a bay camera watches one or two bays, not none", bayList.Line);
            }
            else if (listed > 2)
            {
                Error(Paths.Field(path, "bays"), $"a bay camera watches one or two bays, not {listed}", bayList.Line);
            }
            else if (bays.Count == 2)
            {
                TellApart(bays, bayPaths, bayNodes, Paths.Field(path, "bays"), bayList.Line, quiet: FoundErrors.Count > errorsBefore);
            }

            if (configuration is not null)
            {
                cameras.Add(new DeclaredBayCamera(configuration with { Bays = bays }, path, references));
            }
        }

        return cameras;
    }

    /// <summary>One bay in a bay camera's view: <c>EV-01</c>, or <c>{ bay: EV-01, zone: left, region: [0.0, 0.5] }</c>.</summary>
    private CameraBay? CameraBay(DocumentNode node, string path)
    {
        if (node is DocumentScalar)
        {
            return ScalarText(node, path, "a bay id or a mapping with bay, zone and region") is { } only ? new CameraBay(only) : null;
        }

        if (node is not DocumentMapping bay)
        {
            Error(path, $"expected a bay id or a mapping with bay, zone and region, got {Describe(node)}", node.Line);
            return null;
        }

        CheckFields(bay, path, CameraBayFields, "field");
        var id = Text(bay, path, "bay", required: true);
        var zone = Text(bay, path, "zone", required: false);
        if (zone is not null && string.IsNullOrWhiteSpace(zone))
        {
            Error(Paths.Field(path, "zone"), "must not be empty", bay.Find("zone")!.Line);
            zone = null;
        }

        // A bay whose region is wrong is still returned, without the region, so its zone is
        // still compared with the other bay's; the error is already recorded.
        var region = Region(bay, path);
        return id is null ? null : new CameraBay(id, zone, region?.Left, region?.Right);
    }

    private (double Left, double Right)? Region(DocumentMapping bay, string path)
    {
        var regionPath = Paths.Field(path, "region");
        var node = Field(bay, path, "region", required: false);
        if (node is null)
        {
            return null;
        }

        const string shape = "a region is [left, right]: the band of the picture's width the bay's plates appear in, with 0 <= left < right <= 1";
        if (node is not DocumentSequence { Items.Count: 2 } pair)
        {
            Error(regionPath, $"{shape}; this is {Describe(node)}", node.Line);
            return null;
        }

        var left = ScalarNumber(pair.Items[0], Paths.Item(regionPath, 0));
        var right = ScalarNumber(pair.Items[1], Paths.Item(regionPath, 1));
        if (left is null || right is null)
        {
            return null;
        }

        if (left < 0 || right > 1 || left >= right)
        {
            Error(regionPath, $"{shape}; [{Show(left.Value)}, {Show(right.Value)}] is not", node.Line);
            return null;
        }

        return (left.Value, right.Value);
    }

    /// <summary>
    /// Two bays in one picture: a read belongs to the bay whose zone the camera names, or whose
    /// band holds the plate. So both bays need distinct zones, or both need bands that do not
    /// overlap (bands may touch: a plate exactly on the line goes to the first).
    /// </summary>
    /// <param name="quiet">A bay of this camera already has an error (a wrong region, say): only a clash is reported, not "no way to tell them apart".</param>
    private void TellApart(List<CameraBay> bays, List<string> paths, List<DocumentNode> nodes, string listPath, int listLine, bool quiet)
    {
        var (first, second) = (bays[0], bays[1]);
        var failed = false;
        if (first.Zone is not null && first.Zone == second.Zone)
        {
            Error(Paths.Field(paths[1], "zone"), $"zone '{second.Zone}' is also the zone of {paths[0]}; a read in it could be either bay", Line(nodes[1], "zone"));
            failed = true;
        }

        if (first.XMin is { } aMin && first.XMax is { } aMax && second.XMin is { } bMin && second.XMax is { } bMax && aMin < bMax && bMin < aMax)
        {
            Error(Paths.Field(paths[1], "region"), $"[{Show(bMin)}, {Show(bMax)}] overlaps {paths[0]}'s region [{Show(aMin)}, {Show(aMax)}]", Line(nodes[1], "region"));
            failed = true;
        }

        var zones = first.Zone is not null && second.Zone is not null;
        var regions = first.XMin is not null && second.XMin is not null;
        if (!failed && !quiet && !zones && !regions)
        {
            Error(listPath, "two bays in one camera need a zone each or a region each to tell them apart", listLine);
        }
    }

    // --- what refers to what ----------------------------------------------------------------------------

    private void CrossCheck(List<DeclaredCharger> chargers, List<DeclaredBay> bays, List<DeclaredBayCamera> cameras)
    {
        var connectors = new Dictionary<(ChargerId, int), DeclaredBay>();
        foreach (var bay in bays)
        {
            var chargerNode = bay.Node.Find("charger")!;
            if (!_chargerIds.Contains(bay.Bay.Charger.Value) && !_registeredChargers.Contains(bay.Bay.Charger.Value))
            {
                Error(Paths.Field(bay.Path, "charger"), $"charger '{bay.Bay.Charger}' is not listed under chargers", chargerNode.Line);
            }

            if (connectors.TryGetValue((bay.Bay.Charger, bay.Bay.Connector), out var other))
            {
                Error(Paths.Field(bay.Path, "connector"), $"{bay.Bay.Charger} connector {bay.Bay.Connector} already serves {other.Path} ('{other.Bay.Id}'); one outlet, one bay", bay.Node.Find("connector")!.Line);
            }
            else
            {
                connectors[(bay.Bay.Charger, bay.Bay.Connector)] = bay;
            }

            for (var i = 0; i < bay.Neighbours.Count; i++)
            {
                var (neighbour, path, line) = bay.Neighbours[i];
                if (neighbour == bay.Bay.Id)
                {
                    Error(path, $"bay '{neighbour}' is not its own neighbour", line);
                }
                else if (!_bayIds.Contains(neighbour))
                {
                    Error(path, $"bay '{neighbour}' is not listed under evBays", line);
                }
                else if (bay.Neighbours.Take(i).Any(n => n.Bay == neighbour))
                {
                    Error(path, $"bay '{neighbour}' is listed twice", line);
                }
            }
        }

        foreach (var (id, path, line) in cameras.SelectMany(c => c.BayReferences))
        {
            if (!_bayIds.Contains(id))
            {
                Error(path, $"bay '{id}' is not listed under evBays", line);
            }
        }

        foreach (var bay in bays.Where(b => !_watchedBays.Contains(b.Bay.Id)))
        {
            Warn(bay.Path, $"EV bay '{bay.Bay.Id}' has no camera: binding its charging sessions to a plate will have only the fallbacks (known id token, fuzzy match, operator)", bay.Line);
        }

        foreach (var charger in chargers.Where(c => !_servingChargers.Contains(c.Declaration.Charger)))
        {
            Warn(charger.Path, $"charger '{charger.Declaration.Charger}' serves no EV bay: its sessions cannot be tied to a bay", charger.Line);
        }
    }
}
