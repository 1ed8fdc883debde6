using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

using ParkCharge.Core.Billing;
using ParkCharge.Core.Sites.Files;
using ParkCharge.Documents;

namespace ParkCharge.Server.Ocpi;

/// <summary>
/// The public price calculator behind <c>POST /api/v1/tariffs/price</c> and <c>parkcharge price</c>: an OCPI 2.2.1
/// tariff (or several) and an OCPI CDR (or just its charging periods) in, the CDR priced out, by
/// <see cref="CdrPricing"/>, the code that bills stays.
/// </summary>
internal static class PriceCalculator
{
    /// <summary>The priced CDR, or why it could not be priced.</summary>
    /// <param name="Status">200, 400 (a document is wrong) or 422 (no tariff applies to the session).</param>
    public sealed record Result(JsonObject? Cdr, IReadOnlyList<DocumentProblem> Errors, IReadOnlyList<DocumentProblem> Warnings, int Status);

    private static readonly string[] RequestFields = ["tariff", "tariffs", "cdr", "charging_periods", "start_date_time", "end_date_time", "currency", "time_zone", "tariff_type"];

    /// <summary>
    /// A request body: <c>tariff</c> (a Tariff) or <c>tariffs</c> (a list; else the CDR's own), <c>cdr</c> (a CDR) or
    /// <c>charging_periods</c> (with <c>start_date_time</c>, <c>end_date_time</c>, <c>currency</c> if wanted),
    /// <c>time_zone</c> (IANA; the location's, default UTC) and <c>tariff_type</c> (the session's, to choose among tariffs).
    /// </summary>
    public static Result FromRequest(string body, DateTimeOffset now)
    {
        // JSON only (the document reader would take YAML, whose aliases could make a small body huge once written back).
        try
        {
            using var json = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            return new Result(null, [new DocumentProblem("", $"not valid JSON: {e.Message}")], [], 400);
        }

        var errors = new List<DocumentProblem>();
        var root = DocumentReader.Read(body, errors);
        if (root is null)
        {
            return new Result(null, errors, [], 400);
        }

        if (root is not DocumentMapping request)
        {
            return new Result(null, [new DocumentProblem("", "expected an object with a tariff (or tariffs) and a cdr (or charging_periods)", root.Line)], [], 400);
        }

        var warnings = new List<DocumentProblem>();
        foreach (var entry in request.Entries.Where(e => !RequestFields.Contains(e.Key, StringComparer.Ordinal)))
        {
            warnings.Add(new DocumentProblem(entry.Key, $"unknown field, ignored (known: {string.Join(", ", RequestFields)})", entry.Line));
        }

        var tariffs = request.Find("tariffs") ?? request.Find("tariff");
        DocumentNode cdr;
        string cdrPath;
        if (request.Find("cdr") is { } given)
        {
            cdr = given.Value;
            cdrPath = "cdr";
        }
        else
        {
            // Just the periods: the request itself stands for the CDR (its start, end and currency, if given).
            cdr = new DocumentMapping([.. request.Entries.Where(e => e.Key is "charging_periods" or "start_date_time" or "end_date_time" or "currency")], request.Line);
            cdrPath = "";
        }

        var result = Price(tariffs?.Value, tariffs?.Key ?? "tariffs", cdr, cdrPath, Text(request, "time_zone"), Text(request, "tariff_type"), now);
        return result with { Warnings = [.. warnings, .. result.Warnings] };
    }

    /// <param name="tariffs">A Tariff or a list of them; null: the CDR's own <c>tariffs</c>.</param>
    /// <param name="cdr">A CDR, or a list of charging periods.</param>
    public static Result Price(DocumentNode? tariffs, string tariffsPath, DocumentNode cdr, string cdrPath, string? timeZone, string? tariffType, DateTimeOffset now)
    {
        var errors = new List<DocumentProblem>();
        var warnings = new List<DocumentProblem>();
        var cdrObject = cdr as DocumentMapping;
        var periodsNode = cdr is DocumentSequence list ? list : cdrObject?.Find("charging_periods")?.Value;
        var periodsPath = cdr is DocumentSequence ? cdrPath : Paths.Field(cdrPath, "charging_periods");
        if (cdr is not DocumentMapping and not DocumentSequence)
        {
            errors.Add(new DocumentProblem(cdrPath, "expected a CDR (an object with charging_periods) or a list of charging periods", cdr.Line));
            return new Result(null, errors, warnings, 400);
        }

        var currency = cdrObject is null ? null : Text(cdrObject, "currency")?.Trim();
        if (currency is not null && !Iso4217.IsCurrency(currency))
        {
            errors.Add(new DocumentProblem(Paths.Field(cdrPath, "currency"), $"'{currency}' is not an ISO 4217 currency code", cdrObject!.Find("currency")!.Line));
            currency = null;
        }

        if (tariffs is null && cdrObject?.Find("tariffs") is { Value: DocumentSequence { Items.Count: > 0 } } own)
        {
            tariffs = own.Value;
            tariffsPath = Paths.Field(cdrPath, "tariffs");
        }

        var read = new List<ChargingTariff>();
        switch (tariffs)
        {
            case null or DocumentScalar { IsNull: true }:
                errors.Add(new DocumentProblem(tariffsPath, "no tariff: give one (tariff), several (tariffs), or a CDR with its tariffs", cdr.Line));
                break;
            case DocumentSequence many:
                for (var i = 0; i < many.Items.Count; i++)
                {
                    Read(many.Items[i], Paths.Item(tariffsPath, i), i);
                }

                break;
            default:
                Read(tariffs, tariffsPath, 0);
                break;
        }

        void Read(DocumentNode node, string path, int index)
        {
            var (tariff, tariffErrors, tariffWarnings) = SiteFileValidator.ReadOcpiTariff(node, path, currency, index);
            errors.AddRange(tariffErrors);
            warnings.AddRange(tariffWarnings);
            if (tariff is not null)
            {
                read.Add(tariff);
            }
        }

        currency ??= read.Select(t => t.Currency).FirstOrDefault(c => c is not null && Iso4217.IsCurrency(c));
        if (currency is null && errors.Count == 0)
        {
            errors.Add(new DocumentProblem(Paths.Field(cdrPath, "currency"), "no currency: give the CDR's currency or the tariff's", cdr.Line));
        }

        var zone = TimeZoneInfo.Utc;
        if (timeZone is not null && !TimeZoneInfo.TryFindSystemTimeZoneById(timeZone.Trim(), out zone))
        {
            errors.Add(new DocumentProblem("time_zone", $"'{timeZone}' is not an IANA time zone (the charger's location's, e.g. Europe/Amsterdam)"));
            zone = TimeZoneInfo.Utc;
        }

        TariffType? type = null;
        if (tariffType is not null && (type = OcpiNames.TariffType(tariffType)) is null)
        {
            errors.Add(new DocumentProblem("tariff_type", $"'{tariffType}' is not one of AD_HOC_PAYMENT, PROFILE_CHEAP, PROFILE_FAST, PROFILE_GREEN, REGULAR"));
        }

        var periods = Periods(periodsNode, periodsPath, read, errors, warnings);
        var session = Session(cdrObject, cdrPath, periods, errors, warnings);
        if (errors.Count > 0 || session is null || currency is null)
        {
            return new Result(null, errors, warnings, 400);
        }

        var notes = new List<string>();
        var tariff = TariffSelection.Choose(read, session.Start, type);
        if (tariff is null && read.Where(t => type is null || t.Type == type || t.Type is null).ToList() is [var only, ..])
        {
            tariff = only;
            notes.Add($"tariff '{only.Id}' is not in force at the session's start ({OcpiJson.DateTime(session.Start)}): priced with it all the same");
        }

        if (tariff is null)
        {
            errors.Add(new DocumentProblem(tariffsPath, $"no tariff is for sessions of type {OcpiNames.Of(type!.Value)} (nor for every session)"));
            return new Result(null, errors, warnings, 422);
        }

        notes.AddRange(warnings.Select(w => w.ToString()));
        var priced = CdrPricing.Price(session, read, tariff, zone, notes);
        var json = cdrObject is null ? [] : JsonNode.Parse(DocumentJson.Write(cdrObject))!.AsObject();
        var used = read.Where(t => t == tariff || periods.Any(p => p.TariffId == t.Id)).ToList();
        json["currency"] = currency;
        json["start_date_time"] ??= OcpiJson.DateTime(session.Start);
        json["end_date_time"] ??= OcpiJson.DateTime(session.End);
        json["tariffs"] = new JsonArray([.. used.Select(t => (JsonNode)OcpiJson.Tariff(t, currency, now))]);
        json["charging_periods"] = ChargingPeriods(periodsNode, periods, tariff);
        OcpiJson.Totals(json, priced, Currencies.MinorUnits(currency));
        json["last_updated"] ??= OcpiJson.DateTime(now);
        return new Result(json, [], warnings, 200);
    }

    /// <summary>The periods as given, each with the tariff that priced it when it named none.</summary>
    private static JsonArray ChargingPeriods(DocumentNode? given, IReadOnlyList<CdrPeriod> periods, ChargingTariff tariff)
    {
        var array = given is null ? new JsonArray() : JsonNode.Parse(DocumentJson.Write(given))!.AsArray();
        foreach (var period in array.OfType<JsonObject>())
        {
            period["tariff_id"] ??= tariff.Id;
        }

        return array;
    }

    private static List<CdrPeriod> Periods(DocumentNode? node, string path, List<ChargingTariff> tariffs, List<DocumentProblem> errors, List<DocumentProblem> warnings)
    {
        var periods = new List<CdrPeriod>();
        if (node is not DocumentSequence list)
        {
            errors.Add(new DocumentProblem(path, node is null ? "is required: the charging periods that make up the session" : "expected a list of charging periods", node?.Line));
            return periods;
        }

        DateTimeOffset? previous = null;
        for (var i = 0; i < list.Items.Count; i++)
        {
            var periodPath = Paths.Item(path, i);
            if (list.Items[i] is not DocumentMapping period)
            {
                errors.Add(new DocumentProblem(periodPath, "expected a charging period (start_date_time, dimensions)", list.Items[i].Line));
                continue;
            }

            var startText = Text(period, "start_date_time");
            if (!OcpiJson.TryParseDateTime(startText, out var start))
            {
                errors.Add(new DocumentProblem(Paths.Field(periodPath, "start_date_time"), startText is null ? "is required" : $"'{startText}' is not an OCPI DateTime (RFC 3339, e.g. 2015-06-29T21:39:09Z)", period.Find("start_date_time")?.Line ?? period.Line));
                continue;
            }

            if (previous > start)
            {
                warnings.Add(new DocumentProblem(Paths.Field(periodPath, "start_date_time"), "starts before the period listed above it; periods are priced in time order", period.Find("start_date_time")!.Line));
            }

            previous = start;
            var volumes = new Dictionary<string, decimal>(StringComparer.Ordinal);
            var dimensions = period.Find("dimensions")?.Value;
            if (dimensions is not DocumentSequence dimensionList)
            {
                errors.Add(new DocumentProblem(Paths.Field(periodPath, "dimensions"), dimensions is null ? "is required: the volumes of the period" : "expected a list of dimensions", dimensions?.Line ?? period.Line));
                continue;
            }

            for (var d = 0; d < dimensionList.Items.Count; d++)
            {
                var dimensionPath = Paths.Item(Paths.Field(periodPath, "dimensions"), d);
                if (dimensionList.Items[d] is not DocumentMapping dimension)
                {
                    errors.Add(new DocumentProblem(dimensionPath, "expected a dimension (type, volume)", dimensionList.Items[d].Line));
                    continue;
                }

                var type = Text(dimension, "type")?.Trim().ToUpperInvariant();
                var volumeText = Text(dimension, "volume");
                if (!decimal.TryParse(volumeText, NumberStyles.Float, CultureInfo.InvariantCulture, out var volume) || volume < 0)
                {
                    errors.Add(new DocumentProblem(Paths.Field(dimensionPath, "volume"), volumeText is null ? "is required" : $"'{volumeText}' is not a volume (a number, 0 or more)", dimension.Line));
                    continue;
                }

                switch (type)
                {
                    case "ENERGY" or "TIME" or "PARKING_TIME" or "RESERVATION_TIME":
                        volumes[type] = volumes.GetValueOrDefault(type) + volume;
                        break;
                    case "MIN_CURRENT" or "MAX_CURRENT" or "MIN_POWER" or "MAX_POWER":
                        volumes[type] = volume;
                        break;
                    case "CURRENT" or "ENERGY_EXPORT" or "ENERGY_IMPORT" or "POWER" or "STATE_OF_CHARGE":
                        warnings.Add(new DocumentProblem(Paths.Field(dimensionPath, "type"), $"{type} is for Sessions, not CDRs (OCPI); ignored", dimension.Line));
                        break;
                    default:
                        errors.Add(new DocumentProblem(Paths.Field(dimensionPath, "type"), $"'{type}' is not a CdrDimensionType (ENERGY, TIME, PARKING_TIME, RESERVATION_TIME, MIN_CURRENT, MAX_CURRENT, MIN_POWER, MAX_POWER)", dimension.Line));
                        break;
                }
            }

            var tariffId = Text(period, "tariff_id");
            if (tariffId is not null && tariffs.Count > 0 && !tariffs.Any(t => t.Id == tariffId))
            {
                warnings.Add(new DocumentProblem(Paths.Field(periodPath, "tariff_id"), $"names no tariff given ('{tariffId}'): priced with the session's tariff", period.Find("tariff_id")!.Line));
                tariffId = null;
            }

            periods.Add(new CdrPeriod
            {
                Start = start,
                EnergyKwh = Volume("ENERGY"),
                ChargingHours = Volume("TIME"),
                ParkingHours = Volume("PARKING_TIME"),
                ReservationHours = Volume("RESERVATION_TIME"),
                MinCurrent = Volume("MIN_CURRENT"),
                MaxCurrent = Volume("MAX_CURRENT"),
                MinPowerKw = Volume("MIN_POWER"),
                MaxPowerKw = Volume("MAX_POWER"),
                TariffId = tariffId,
            });

            decimal? Volume(string name) => volumes.TryGetValue(name, out var v) ? v : null;
        }

        return periods;
    }

    /// <summary>
    /// The session's start and end: the CDR's <c>start_date_time</c> and <c>end_date_time</c> (or 2.1.1's
    /// <c>stop_date_time</c>); without them, the first period's start and the last one's end (its start plus its time).
    /// Periods that start before the CDR's start move the start back (durations count from the first of them).
    /// </summary>
    private static CdrSession? Session(DocumentMapping? cdr, string path, List<CdrPeriod> periods, List<DocumentProblem> errors, List<DocumentProblem> warnings)
    {
        DateTimeOffset? Instant(string name)
        {
            if (cdr is null || Text(cdr, name) is not { } text)
            {
                return null;
            }

            if (OcpiJson.TryParseDateTime(text, out var at))
            {
                return at;
            }

            errors.Add(new DocumentProblem(Paths.Field(path, name), $"'{text}' is not an OCPI DateTime (RFC 3339, e.g. 2015-06-29T21:39:09Z)", cdr.Find(name)!.Line));
            return null;
        }

        var start = Instant("start_date_time");
        var end = Instant("end_date_time") ?? Instant("stop_date_time");
        var ordered = periods.OrderBy(p => p.Start).ToList();
        if (ordered.Count > 0 && (start is null || ordered[0].Start < start))
        {
            if (start is not null)
            {
                warnings.Add(new DocumentProblem(Paths.Field(path, "charging_periods"), "the first period starts before the CDR's start_date_time: the session is taken to start with it"));
            }

            start = ordered[0].Start;
        }

        if (start is null)
        {
            if (errors.Count == 0)
            {
                errors.Add(new DocumentProblem(path, "the session has no start: give start_date_time or charging periods"));
            }

            return null;
        }

        var last = ordered.LastOrDefault();
        // To the second: a volume in hours with OCPI's 4 decimals is within 0.36 s of what was meant.
        var lastHours = last?.ChargingHours ?? last?.ParkingHours ?? last?.ReservationHours ?? 0;
        var lastEnd = last is null ? start.Value : last.Start + TimeSpan.FromSeconds((double)Math.Round(lastHours * 3600));
        if (end is null)
        {
            end = lastEnd;
        }
        else if (last is not null && end < last.Start)
        {
            warnings.Add(new DocumentProblem(Paths.Field(path, "end_date_time"), "is before the last period starts: the session is taken to end with that period"));
            end = lastEnd;
        }

        return new CdrSession { Start = start.Value, End = end.Value, Periods = periods };
    }

    private static string? Text(DocumentMapping mapping, string name) =>
        mapping.Find(name)?.Value is DocumentScalar { IsNull: false } scalar ? scalar.Value : null;
}
