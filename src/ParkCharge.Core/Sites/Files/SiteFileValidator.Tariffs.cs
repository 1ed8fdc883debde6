using System.Globalization;
using System.Text.RegularExpressions;

using ParkCharge.Core.Billing;
using ParkCharge.Core.Plates;

namespace ParkCharge.Core.Sites.Files;

/// <summary>
/// The <c>tariffs</c> section of a site document (or a tariffs document on its own, as
/// <c>PUT /api/v1/sites/{id}/tariffs</c> takes it): car-park tariffs, OCPI charging tariffs,
/// EV-bay rules and permits. Field names are camelCase everywhere, the charging part included:
/// a charging tariff is OCPI 2.2.1's Tariff with its field names camelCased (<c>price_components</c>
/// is <c>priceComponents</c>) and its values as OCPI writes them (<c>ENERGY</c>, <c>MONDAY</c>).
/// </summary>
public sealed partial class SiteFileValidator
{
    private static readonly string[] TariffsFields = ["parking", "charging", "evBayRules", "permits"];
    private static readonly string[] ParkingTariffFields = ["id", "validFrom", "validTo", "vat", "freeFirst", "dailyCap", "stayCap", "unknownEntryCharge", "bands"];
    private static readonly string[] BandFields = ["name", "from", "to", "days", "pricePerUnit", "unit"];
    private static readonly string[] EvBayRuleFields = ["chargingStartGrace", "chargingWaiverPercent", "idleFeePerMinute", "idleCap", "idleVat", "suspendedThreshold"];
    private static readonly string[] PermitFields = ["plate", "validFrom", "validTo", "note"];

    private static readonly (string Name, DayOfWeek Value)[] Weekdays =
    [
        ("MONDAY", DayOfWeek.Monday), ("TUESDAY", DayOfWeek.Tuesday), ("WEDNESDAY", DayOfWeek.Wednesday), ("THURSDAY", DayOfWeek.Thursday),
        ("FRIDAY", DayOfWeek.Friday), ("SATURDAY", DayOfWeek.Saturday), ("SUNDAY", DayOfWeek.Sunday),
    ];

    // What a tariffs section is read against: the site's currency and time zone (null when they
    // are themselves wrong: then amounts are not checked against them), and how to say that a
    // charger a tariff names is unknown.
    private string? _currency;
    private TimeZoneInfo? _zone;
    private string _unknownCharger = "is not listed under chargers";

    /// <summary>Validates a tariffs document on its own, for a configured site (the API's <c>PUT .../tariffs</c>).</summary>
    /// <param name="chargers">The chargers a charging tariff may name: those registered at the site and those its bays use.</param>
    public static TariffsResult ValidateTariffs(
        DocumentNode root, string siteId, string currency, string timeZone, IReadOnlySet<string> chargers, IReadOnlyDictionary<string, string?> environment)
    {
        var validator = new SiteFileValidator(new SiteFileContext { Environment = environment, RegisteredChargers = chargers })
        {
            _currency = currency,
            _zone = TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out var zone) ? zone : null,
            _unknownCharger = $"is not a charger of site '{siteId}'",
        };
        if (root is not DocumentMapping mapping)
        {
            var what = root is DocumentScalar { IsNull: true } ? "the document is empty" : $"a tariffs document is a mapping of {string.Join(", ", TariffsFields)}; this is {Describe(root)}";
            validator.Error("", what, root.Line);
            return new TariffsResult { Errors = [.. validator.FoundErrors] };
        }

        var tariffs = validator.TariffsSection(mapping, "");
        return new TariffsResult
        {
            Tariffs = validator.FoundErrors.Count == 0 ? tariffs : null,
            Errors = [.. validator.FoundErrors.OrderBy(p => p.Line ?? int.MaxValue)],
            Warnings = [.. validator.FoundWarnings.OrderBy(p => p.Line ?? int.MaxValue)],
        };
    }

    /// <summary>The site document's <c>tariffs</c>: null when it has none (the site keeps the tariffs it has).</summary>
    private SiteTariffs? SiteTariffsOf(DocumentMapping site, string? currency, string? timeZone)
    {
        _currency = currency;
        _zone = timeZone is not null && TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out var zone) ? zone : null;
        var node = Field(site, "", "tariffs", required: false);
        if (node is null)
        {
            return null;
        }

        if (node is not DocumentMapping tariffs)
        {
            Error("tariffs", $"expected a mapping of {string.Join(", ", TariffsFields)}, got {Describe(node)}", node.Line);
            return null;
        }

        return TariffsSection(tariffs, "tariffs");
    }

    private SiteTariffs TariffsSection(DocumentMapping tariffs, string path)
    {
        CheckFields(tariffs, path, TariffsFields, "field");
        return new SiteTariffs
        {
            Parking = ParkingTariffs(tariffs, path),
            Charging = ChargingTariffs(tariffs, path),
            EvBay = EvBayRulesOf(tariffs, path),
            Permits = Permits(tariffs, path),
        };
    }

    // --- car-park tariffs ---------------------------------------------------------------------------------

    /// <summary>A tariff version's validity, kept to check that versions follow each other.</summary>
    private sealed record TariffVersion(string? Id, DateTimeOffset? From, DateTimeOffset? To, string Path, int Line, IReadOnlyList<string> Chargers, TariffType? Type = null);

    private List<ParkingTariff> ParkingTariffs(DocumentMapping tariffs, string path)
    {
        var list = new List<ParkingTariff>();
        var versions = new List<TariffVersion>();
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (tariff, tariffPath) in Items(tariffs, path, "parking", "a parking tariff"))
        {
            var before = FoundErrors.Count;
            CheckFields(tariff, tariffPath, ParkingTariffFields, "field");
            var id = TariffId(tariff, tariffPath, ids);
            var (from, to, validityOk) = Validity(tariff, tariffPath, "validFrom", "validTo");
            var vat = Percentage(tariff, tariffPath, "vat");
            var freeFirst = NonNegativeDuration(tariff, tariffPath, "freeFirst");
            var dailyCap = Money(tariff, tariffPath, "dailyCap");
            var stayCap = Money(tariff, tariffPath, "stayCap");
            var unknownEntry = Money(tariff, tariffPath, "unknownEntryCharge");
            var bands = Bands(tariff, tariffPath);
            if (validityOk)
            {
                versions.Add(new TariffVersion(id, from, to, tariffPath, tariff.Line, []));
            }

            if (FoundErrors.Count == before && id is not null)
            {
                list.Add(new ParkingTariff
                {
                    Id = id,
                    Bands = bands,
                    Vat = vat ?? 0,
                    FreeFirst = freeFirst ?? TimeSpan.Zero,
                    DailyCap = dailyCap,
                    StayCap = stayCap,
                    UnknownEntryCharge = unknownEntry ?? 0,
                    ValidFrom = from,
                    ValidTo = to,
                });
                CheckCoverage(bands, tariffPath, tariff);
            }
        }

        Overlaps(versions, "parking tariff", "validTo", []);
        Gaps(versions, Paths.Field(path, "parking"), "no parking tariff is in force", "parking then is free");
        return list;
    }

    private List<ParkingBand> Bands(DocumentMapping tariff, string path)
    {
        var bands = new List<ParkingBand>();
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (band, bandPath) in Items(tariff, path, "bands", "a band"))
        {
            var before = FoundErrors.Count;
            CheckFields(band, bandPath, BandFields, "field");
            var from = TimeOfDay(band, bandPath, "from", endOfDay: false);
            var to = TimeOfDay(band, bandPath, "to", endOfDay: true);
            var days = Days(band, bandPath, "days");
            var price = Money(band, bandPath, "pricePerUnit", required: true);
            var unit = Duration(band, bandPath, "unit");
            if (unit <= TimeSpan.Zero)
            {
                Error(Paths.Field(bandPath, "unit"), $"must be longer than zero (it is {Durations.Format(unit.Value)})", band.Find("unit")!.Line);
            }

            var name = Text(band, bandPath, "name", required: false);
            if (name is not null && string.IsNullOrWhiteSpace(name))
            {
                Error(Paths.Field(bandPath, "name"), "must not be empty", band.Find("name")!.Line);
            }

            name ??= BandName(from, to, days);
            if (!names.TryAdd(name, bandPath))
            {
                Error(band.Find("name") is null ? bandPath : Paths.Field(bandPath, "name"), $"'{name}' is already the name of {names[name]}; a bill line names its band", Line(band, "name"));
            }

            if (FoundErrors.Count == before && price is not null)
            {
                bands.Add(new ParkingBand { Name = name, From = from, To = to, Days = days, PricePerUnit = price.Value, Unit = unit ?? TimeSpan.FromHours(1) });
            }
        }

        return bands;
    }

    /// <summary>A band without a name is named by when it applies: "all day", "20:00–08:00", "SATURDAY,SUNDAY all day".</summary>
    private static string BandName(TimeOnly? from, TimeOnly? to, List<DayOfWeek> days)
    {
        var hours = from is null && to is null ? "all day" : $"{TariffText.Time(from ?? TimeOnly.MinValue)}–{(to is { } t ? TariffText.Time(t) : "24:00")}";
        return days.Count == 0 ? hours : $"{string.Join(',', days.Select(TariffText.Day))} {hours}";
    }

    /// <summary>
    /// Warns when some time of the week has no band: parking then costs nothing, which is rarely
    /// meant. A band's days are the weekday of the moment (a FRIDAY band from 20:00 to 08:00 covers
    /// Friday 00:00–08:00 and 20:00–24:00, not Saturday morning).
    /// </summary>
    private void CheckCoverage(List<ParkingBand> bands, string path, DocumentMapping tariff)
    {
        const int week = 7 * 24 * 60;
        var gaps = new List<(int From, int To)>();
        int? start = null;
        for (var minute = 0; minute <= week; minute++)
        {
            var covered = minute == week || bands.Any(b => Covers(b, minute));
            if (!covered && start is null)
            {
                start = minute;
            }
            else if (covered && start is { } s)
            {
                gaps.Add((s, minute));
                start = null;
            }
        }

        if (gaps.Count == 0)
        {
            return;
        }

        // A gap at the end of Sunday that goes on at the start of Monday is one gap.
        if (gaps.Count > 1 && gaps[0].From == 0 && gaps[^1].To == week)
        {
            gaps[0] = (gaps[^1].From, gaps[0].To + week);
            gaps.RemoveAt(gaps.Count - 1);
        }

        var bandsPath = Paths.Field(path, "bands");
        var line = tariff.Find("bands")?.Line ?? tariff.Line;
        if (bands.Count == 0)
        {
            Warn(bandsPath, "the tariff has no bands: parking under it is free", line);
            return;
        }

        var more = gaps.Count > 1 ? $" (and {gaps.Count - 1} more gap{(gaps.Count > 2 ? "s" : "")})" : "";
        Warn(bandsPath, $"no band covers {WeekTime(gaps[0].From)} to {WeekTime(gaps[0].To)}{more}: parking then is free", line);

        static bool Covers(ParkingBand band, int minute)
        {
            var day = Weekdays[minute / (24 * 60)].Value;
            var time = new TimeOnly(minute % (24 * 60) / 60, minute % 60);
            return (band.Days.Count == 0 || band.Days.Contains(day)) && InRange(time, band.From, band.To);
        }

        static string WeekTime(int minute)
        {
            minute %= week;
            return $"{Weekdays[minute / (24 * 60)].Name} {minute % (24 * 60) / 60:00}:{minute % 60:00}";
        }
    }

    /// <summary>As billing reads a band's hours (LocalTime.InRange): [from, to), wrapping midnight when to is earlier.</summary>
    private static bool InRange(TimeOnly time, TimeOnly? from, TimeOnly? to)
    {
        var start = from ?? TimeOnly.MinValue;
        if (to is not { } end)
        {
            return time >= start;
        }

        return end == start || (start <= end ? time >= start && time < end : time >= start || time < end);
    }

    // --- EV-bay rules and permits ------------------------------------------------------------------------

    private EvBayRules EvBayRulesOf(DocumentMapping tariffs, string path)
    {
        var defaults = new EvBayRules();
        if (Mapping(tariffs, path, "evBayRules") is not { } rules)
        {
            return defaults;
        }

        var rulesPath = Paths.Field(path, "evBayRules");
        CheckFields(rules, rulesPath, EvBayRuleFields, "rule");
        var idleFee = Money(rules, rulesPath, "idleFeePerMinute");
        var idleCap = Money(rules, rulesPath, "idleCap");
        if (idleCap is not null && (idleFee ?? 0) == 0 && !FoundErrors.Any(e => e.Path == Paths.Field(rulesPath, "idleFeePerMinute")))
        {
            Warn(Paths.Field(rulesPath, "idleCap"), "there is no idle fee to cap (idleFeePerMinute is 0)", rules.Find("idleCap")!.Line);
        }

        return new EvBayRules
        {
            ChargingStartGrace = NonNegativeDuration(rules, rulesPath, "chargingStartGrace") ?? defaults.ChargingStartGrace,
            ChargingWaiverPercent = Percentage(rules, rulesPath, "chargingWaiverPercent") ?? defaults.ChargingWaiverPercent,
            IdleFeePerMinute = idleFee ?? defaults.IdleFeePerMinute,
            IdleCap = idleCap,
            IdleVat = Percentage(rules, rulesPath, "idleVat") ?? defaults.IdleVat,
            SuspendedThreshold = NonNegativeDuration(rules, rulesPath, "suspendedThreshold") ?? defaults.SuspendedThreshold,
        };
    }

    private List<Permit> Permits(DocumentMapping tariffs, string path)
    {
        var permits = new List<Permit>();
        // By plate: a plate's permits are compared with each other only, so thousands of permits stay cheap.
        var seen = new Dictionary<string, List<(DateTimeOffset? From, DateTimeOffset? To, string Path)>>(StringComparer.Ordinal);
        foreach (var (permit, permitPath) in Items(tariffs, path, "permits", "a permit"))
        {
            var before = FoundErrors.Count;
            CheckFields(permit, permitPath, PermitFields, "field");
            var raw = Text(permit, permitPath, "plate", required: true);
            var plate = raw is null ? null : PlateText.Normalize(raw);
            if (plate is { Length: 0 })
            {
                // Not repeated: a plate is personal data, and what was written is on the line named.
                Error(Paths.Field(permitPath, "plate"), "has no letters or digits, so it matches no plate", permit.Find("plate")!.Line);
            }

            var (from, to, validityOk) = Validity(permit, permitPath, "validFrom", "validTo");
            var note = Text(permit, permitPath, "note", required: false);
            if (plate is { Length: > 0 } && validityOk)
            {
                var ofPlate = seen.TryGetValue(plate, out var list) ? list : seen[plate] = [];
                if (ofPlate.FirstOrDefault(s => Overlap(s.From, s.To, from, to)) is { Path: not null } other)
                {
                    Warn(permitPath, $"the same plate already has a permit for part of this time ({other.Path})", permit.Line);
                }

                ofPlate.Add((from, to, permitPath));
            }

            if (FoundErrors.Count == before && plate is { Length: > 0 })
            {
                permits.Add(new Permit(plate, from, to, note));
            }
        }

        return permits;
    }

    // --- versions --------------------------------------------------------------------------------------------

    private static bool Overlap(DateTimeOffset? aFrom, DateTimeOffset? aTo, DateTimeOffset? bFrom, DateTimeOffset? bTo) =>
        (aFrom is null || bTo is null || aFrom < bTo) && (bFrom is null || aTo is null || bFrom < aTo);

    /// <summary>
    /// Two versions of a tariff in force at once are an error: billing would take the one listed
    /// last, so the order of the file would silently decide a price. The message says which end to set.
    /// </summary>
    /// <param name="reported">Versions already reported (by path): one overlap error per version, even when it shares several chargers.</param>
    private void Overlaps(List<TariffVersion> versions, string what, string endField, HashSet<string> reported, string? charger = null)
    {
        for (var j = 1; j < versions.Count; j++)
        {
            var b = versions[j];
            for (var i = 0; i < j; i++)
            {
                var a = versions[i];
                if (!Overlap(a.From, a.To, b.From, b.To) || reported.Contains(b.Path))
                {
                    continue;
                }

                var from = a.From is null ? b.From : b.From is null ? a.From : a.From > b.From ? a.From : b.From;
                var to = a.To is null ? b.To : b.To is null ? a.To : a.To < b.To ? a.To : b.To;
                var hint = a.To is null && b.From is { } bf && (a.From is null || a.From < bf) ? $"; end {a.Path} there: {endField}: {TariffText.Instant(bf)}"
                    : b.To is null && a.From is { } af && (b.From is null || b.From < af) ? $"; end {b.Path} there: {endField}: {TariffText.Instant(af)}"
                    : "";
                var scope = charger is null ? "" : $" for charger '{charger}'";
                Error(b.Path, $"{what} {Name(b)} and {Name(a)} ({a.Path}) are both in force{scope} {Span(from, to)}; versions must follow each other{hint}", b.Line);
                reported.Add(b.Path);
                break;
            }
        }

        static string Name(TariffVersion v) => v.Id is null ? "(no id)" : $"'{v.Id}'";
    }

    /// <summary>Warns about times between versions (and after the last one ends) when nothing is in force.</summary>
    private void Gaps(List<TariffVersion> versions, string path, string nothing, string consequence)
    {
        if (versions.Count == 0 || FoundErrors.Count > 0)
        {
            return;
        }

        var ordered = versions.OrderBy(v => v.From ?? DateTimeOffset.MinValue).ToList();
        for (var i = 0; i < ordered.Count; i++)
        {
            if (ordered[i].To is not { } end)
            {
                continue;
            }

            var next = ordered.FirstOrDefault(v => v.From >= end);
            if (ordered.Any(v => v != ordered[i] && (v.From is null || v.From <= end) && (v.To is null || v.To > end)))
            {
                continue;
            }

            Warn(path, next is null ? $"{nothing} after {TariffText.Instant(end)}: {consequence}" : $"{nothing} from {TariffText.Instant(end)} to {TariffText.Instant(next.From!.Value)}: {consequence}", ordered[i].Line);
        }
    }

    private static string Span(DateTimeOffset? from, DateTimeOffset? to) => (from, to) switch
    {
        (null, null) => "at all times",
        ({ } f, null) => $"from {TariffText.Instant(f)} on",
        (null, { } t) => $"until {TariffText.Instant(t)}",
        ({ } f, { } t) => $"from {TariffText.Instant(f)} to {TariffText.Instant(t)}",
    };

    // --- reading tariff values -------------------------------------------------------------------------------

    private string? TariffId(DocumentMapping tariff, string path, Dictionary<string, string> ids)
    {
        var id = Text(tariff, path, "id", required: true);
        if (id is null)
        {
            return null;
        }

        var line = tariff.Find("id")!.Line;
        if (id.Length is 0 or > 64 || id.Any(c => c is <= ' ' or >= (char)127))
        {
            Error(Paths.Field(path, "id"), $"'{id}' is not a valid tariff id (1 to 64 printable ASCII characters without spaces)", line);
            return null;
        }

        if (!ids.TryAdd(id, path))
        {
            // Versions of one tariff are separate entries with separate ids ("standard-2026", "standard-2027"): a bill line names the one it used.
            Error(Paths.Field(path, "id"), $"'{id}' is already the id of {ids[id]}; give each version its own id", line);
            return null;
        }

        return id;
    }

    private (DateTimeOffset? From, DateTimeOffset? To, bool Ok) Validity(DocumentMapping mapping, string path, string fromName, string toName, bool ocpi = false)
    {
        var before = FoundErrors.Count;
        var from = Instant(mapping, path, fromName, ocpi);
        var to = Instant(mapping, path, toName, ocpi);
        if (from is { } f && to is { } t && t <= f)
        {
            Error(Paths.Field(path, toName), $"{TariffText.Instant(t)} is not after {fromName} {TariffText.Instant(f)}", mapping.Find(toName)!.Line);
        }

        return (from, to, FoundErrors.Count == before);
    }

    /// <summary>
    /// An instant: ISO 8601 with a UTC offset. A local time without one is refused, with the site's offset for it as
    /// the suggestion; in a tariff written as OCPI writes it (<paramref name="ocpi"/>), it is UTC, as OCPI's DateTime says.
    /// </summary>
    private DateTimeOffset? Instant(DocumentMapping mapping, string path, string name, bool ocpi = false)
    {
        if (Field(mapping, path, name, required: false) is not { } node || ScalarText(node, Paths.Field(path, name), "a date and time") is not { } text)
        {
            return null;
        }

        var trimmed = text.Trim();
        if (IsoInstant().IsMatch(trimmed) && DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at))
        {
            return at;
        }

        if (ocpi && OcpiUtc().IsMatch(trimmed) && DateTime.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var utc))
        {
            return new DateTimeOffset(utc, TimeSpan.Zero);
        }

        string[] local = ["yyyy-MM-dd", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss"];
        if (DateTime.TryParseExact(trimmed, local, CultureInfo.InvariantCulture, DateTimeStyles.None, out var wall))
        {
            var hint = _zone is { } zone && !zone.IsInvalidTime(wall) ? $"; did you mean {TariffText.Instant(new DateTimeOffset(wall, zone.GetUtcOffset(wall)))} ({zone.Id})?" : "";
            Error(Paths.Field(path, name), $"{Quote(trimmed)} has no UTC offset (write Z or +01:00 after the time){hint}", node.Line);
        }
        else
        {
            Error(Paths.Field(path, name), $"{Quote(trimmed)} is not a date and time; write ISO 8601 with a UTC offset, e.g. 2026-01-01T00:00:00+01:00", node.Line);
        }

        return null;
    }

    /// <summary>A local time of day, "HH:mm"; where a range ends, "24:00" is the end of the day (as is leaving it out).</summary>
    private TimeOnly? TimeOfDay(DocumentMapping mapping, string path, string name, bool endOfDay)
    {
        if (Field(mapping, path, name, required: false) is not { } node || ScalarText(node, Paths.Field(path, name), "a time of day") is not { } text)
        {
            return null;
        }

        var trimmed = text.Trim();
        if (endOfDay && trimmed == "24:00")
        {
            return null;
        }

        if (HoursMinutes().IsMatch(trimmed))
        {
            return TimeOnly.ParseExact(trimmed, "HH:mm", CultureInfo.InvariantCulture);
        }

        var hint = TimeOnly.TryParseExact(trimmed, ["H:mm", "HH:mm:ss", "H:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var close) && close.Second == 0
            ? $"; did you mean {TariffText.Time(close)}?" : "";
        Error(Paths.Field(path, name), $"{Quote(trimmed)} is not a local time of day; write HH:mm, e.g. 08:00{(endOfDay ? " (24:00 for the end of the day)" : "")}{hint}", node.Line);
        return null;
    }

    private DateOnly? Date(DocumentMapping mapping, string path, string name)
    {
        if (Field(mapping, path, name, required: false) is not { } node || ScalarText(node, Paths.Field(path, name), "a date") is not { } text)
        {
            return null;
        }

        if (DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }

        Error(Paths.Field(path, name), $"{Quote(text.Trim())} is not a date; write yyyy-MM-dd, e.g. 2026-12-24", node.Line);
        return null;
    }

    private List<DayOfWeek> Days(DocumentMapping mapping, string path, string name, bool emptyMeansEvery = false)
    {
        var days = new List<DayOfWeek>();
        var names = Weekdays.Select(d => d.Name).ToList();
        foreach (var (node, dayPath) in Elements(mapping, path, name))
        {
            if (ScalarText(node, dayPath, "a day of the week") is not { } text)
            {
                continue;
            }

            var match = Weekdays.FirstOrDefault(d => string.Equals(d.Name, text.Trim(), StringComparison.OrdinalIgnoreCase));
            if (match.Name is null)
            {
                Error(dayPath, $"{Quote(text)} is not one of {string.Join(", ", names)}{DidYouMean(text, names)}", node.Line);
            }
            else if (days.Contains(match.Value))
            {
                Error(dayPath, $"{match.Name} is listed twice", node.Line);
            }
            else
            {
                days.Add(match.Value);
            }
        }

        if (!emptyMeansEvery && mapping.Find(name) is { Value: DocumentSequence { Items.Count: 0 } } empty)
        {
            Error(Paths.Field(path, name), "is empty: leave it out for every day", empty.Line);
        }

        return days;
    }

    private decimal? DecimalNumber(DocumentMapping mapping, string path, string name, bool required)
    {
        if (Field(mapping, path, name, required) is not { } node || ScalarText(node, Paths.Field(path, name), "a number") is not { } text)
        {
            return null;
        }

        var trimmed = text.Trim();
        if (YamlNumber().IsMatch(trimmed) && decimal.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        Error(Paths.Field(path, name), $"expected a number, got {Quote(text)}", node.Line);
        return null;
    }

    private decimal? NonNegativeNumber(DocumentMapping mapping, string path, string name)
    {
        var value = DecimalNumber(mapping, path, name, required: false);
        if (value < 0)
        {
            Error(Paths.Field(path, name), $"must not be negative (it is {Show(value.Value)})", mapping.Find(name)!.Line);
            return null;
        }

        // kWh and kW: no more than a meter value may be (MeterSample.MaxMagnitude in Wh or W).
        if (value > MaxQuantity)
        {
            Error(Paths.Field(path, name), $"must be at most {Show(MaxQuantity)} (it is {Show(value.Value)})", mapping.Find(name)!.Line);
            return null;
        }

        return value;
    }

    /// <summary>
    /// An amount of money in the site's currency: not negative, with no more decimals than the
    /// currency has (<see cref="Currencies.MinorUnits"/>), or <paramref name="extraDecimals"/> more
    /// for a price per kWh or per hour.
    /// </summary>
    private decimal? Money(DocumentMapping mapping, string path, string name, bool required = false, int extraDecimals = 0)
    {
        var value = DecimalNumber(mapping, path, name, required);
        if (value is not { } amount)
        {
            return null;
        }

        var line = mapping.Find(name)!.Line;
        if (amount < 0)
        {
            Error(Paths.Field(path, name), $"must not be negative (it is {Show(amount)})", line);
            return null;
        }

        if (amount > Currencies.MaxAmount(_currency ?? "EUR"))
        {
            Error(Paths.Field(path, name), $"must be at most {Show(Currencies.MaxAmount(_currency ?? "EUR"))} ({Currencies.MaxMinorDigits} digits in minor units; it is {Show(amount)})", line);
            return null;
        }

        if (_currency is { } currency)
        {
            var minor = Currencies.MinorUnits(currency);
            if (amount != Math.Round(amount, minor + extraDecimals))
            {
                Error(Paths.Field(path, name), extraDecimals == 0
                    ? $"{Show(amount)} has more decimals than {currency} has ({minor})"
                    : $"{Show(amount)} has more than {minor + extraDecimals} decimals (a price per kWh or per hour may have {extraDecimals} more than {currency}'s {minor})", line);
                return null;
            }
        }

        return amount;
    }

    private decimal? Percentage(DocumentMapping mapping, string path, string name)
    {
        var value = DecimalNumber(mapping, path, name, required: false);
        if (value is < 0 or > 100)
        {
            Error(Paths.Field(path, name), $"is a percentage from 0 to 100 (it is {Show(value.Value)})", mapping.Find(name)!.Line);
            return null;
        }

        return value;
    }

    private TimeSpan? NonNegativeDuration(DocumentMapping mapping, string path, string name)
    {
        var duration = Duration(mapping, path, name);
        if (duration < TimeSpan.Zero)
        {
            Error(Paths.Field(path, name), $"must not be negative (it is {Durations.Format(duration.Value)})", mapping.Find(name)!.Line);
            return null;
        }

        return duration;
    }

    private static readonly decimal MaxQuantity = ParkCharge.Core.Charging.MeterSample.MaxMagnitude / 1000m;

    private static string Show(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex IsoInstant();

    [GeneratedRegex(@"^([01][0-9]|2[0-3]):[0-5][0-9]$", RegexOptions.CultureInvariant)]
    private static partial Regex HoursMinutes();

    // OCPI DateTime without a zone designator: "the absence of the timezone designator implies a UTC timestamp".
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?$", RegexOptions.CultureInvariant)]
    private static partial Regex OcpiUtc();
}

/// <summary>A tariffs document on its own: what it becomes, or every problem with it.</summary>
public sealed record TariffsResult
{
    public SiteTariffs? Tariffs { get; init; }

    public IReadOnlyList<DocumentProblem> Errors { get; init; } = [];

    public IReadOnlyList<DocumentProblem> Warnings { get; init; } = [];

    public bool IsValid => Errors.Count == 0 && Tariffs is not null;
}

/// <summary>How tariff values are written in site documents, read back the way they are read.</summary>
public static class TariffText
{
    public static string Time(TimeOnly time) => time.ToString("HH:mm", CultureInfo.InvariantCulture);

    public static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string Instant(DateTimeOffset at) => at.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture);

    public static string Day(DayOfWeek day) => day.ToString().ToUpperInvariant();

    public static string Dimension(TariffDimension dimension) => dimension switch
    {
        TariffDimension.Energy => "ENERGY",
        TariffDimension.Flat => "FLAT",
        TariffDimension.Time => "TIME",
        _ => "PARKING_TIME",
    };
}
