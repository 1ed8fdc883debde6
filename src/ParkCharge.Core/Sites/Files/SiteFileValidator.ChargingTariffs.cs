using System.Text;
using System.Text.RegularExpressions;

using ParkCharge.Core.Billing;

namespace ParkCharge.Core.Sites.Files;

/// <summary>
/// Charging tariffs: OCPI 2.2.1 Tariff objects, accepted as OCPI writes them (snake_case, <c>min_price</c> and
/// <c>max_price</c> as Price objects, the metadata, <c>step_size: 0</c> on FLAT, DateTimes without an offset meaning
/// UTC) or with camelCase field names as site files write everything else. A tariff written in snake_case has its
/// problems reported in snake_case.
/// </summary>
public sealed partial class SiteFileValidator
{
    private static readonly string[] ChargingTariffFields =
    [
        "id", "currency", "type", "countryCode", "partyId", "tariffAltText", "tariffAltUrl", "minPrice", "maxPrice", "startDateTime", "endDateTime",
        "energyMix", "lastUpdated", "taxIncluded", "chargers", "vat", "elements",
    ];

    private static readonly string[] ElementFields = ["priceComponents", "restrictions"];
    private static readonly string[] PriceComponentFields = ["type", "price", "vat", "stepSize"];
    private static readonly string[] PriceFields = ["exclVat", "inclVat"];
    private static readonly string[] DisplayTextFields = ["language", "text"];
    private static readonly string[] RestrictionFields =
        ["startTime", "endTime", "startDate", "endDate", "minKwh", "maxKwh", "minCurrent", "maxCurrent", "minPower", "maxPower", "minDuration", "maxDuration", "dayOfWeek", "reservation"];

    private static readonly (string Name, TariffDimension Value)[] Dimensions =
        [("ENERGY", TariffDimension.Energy), ("FLAT", TariffDimension.Flat), ("TIME", TariffDimension.Time), ("PARKING_TIME", TariffDimension.ParkingTime)];

    private static readonly (string Name, TariffType Value)[] TariffTypes =
    [
        ("AD_HOC_PAYMENT", TariffType.AdHocPayment), ("PROFILE_CHEAP", TariffType.ProfileCheap), ("PROFILE_FAST", TariffType.ProfileFast),
        ("PROFILE_GREEN", TariffType.ProfileGreen), ("REGULAR", TariffType.Regular),
    ];

    private static readonly (string Name, ReservationRestriction Value)[] Reservations =
        [("RESERVATION", ReservationRestriction.Reservation), ("RESERVATION_EXPIRES", ReservationRestriction.ReservationExpires)];

    private static readonly (string Name, bool Value)[] TaxIncluded = [("NO", false), ("N/A", false), ("YES", true)];

    // The calculator (POST /api/v1/tariffs/price, parkcharge price) reads tariffs from anywhere: a field
    // it does not know is a warning there, not an error, and the metadata OCPI requires may be missing.
    private bool _calculator;

    /// <summary>Reads one OCPI tariff for the price calculator: problems with paths under <paramref name="path"/>.</summary>
    /// <param name="currency">The CDR's currency, if known: a tariff in another is refused.</param>
    /// <param name="index">Names a tariff without an id.</param>
    public static (ChargingTariff? Tariff, IReadOnlyList<DocumentProblem> Errors, IReadOnlyList<DocumentProblem> Warnings) ReadOcpiTariff(
        DocumentNode node, string path, string? currency, int index)
    {
        var validator = new SiteFileValidator(new SiteFileContext()) { _currency = currency, _calculator = true };
        if (node is not DocumentMapping mapping)
        {
            validator.Error(path, $"expected an OCPI Tariff object, got {Describe(node)}", node.Line);
            return (null, validator.FoundErrors, validator.FoundWarnings);
        }

        var tariff = validator.ChargingTariffOf(mapping, path, new Dictionary<string, string>(StringComparer.Ordinal), index, out _);
        return (validator.FoundErrors.Count == 0 ? tariff : null, validator.FoundErrors, validator.FoundWarnings);
    }

    private List<ChargingTariff> ChargingTariffs(DocumentMapping tariffs, string path)
    {
        var list = new List<ChargingTariff>();
        var versions = new List<TariffVersion>();
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var (tariff, tariffPath) in Items(tariffs, path, "charging", "a charging tariff"))
        {
            if (ChargingTariffOf(tariff, tariffPath, ids, index++, out var version) is { } read)
            {
                list.Add(read);
            }

            if (version is not null)
            {
                versions.Add(version);
            }
        }

        // Tariffs of one type for the same chargers must not be in force at once; a tariff for some chargers beside
        // one for the whole site is how a site prices those chargers differently, and tariffs of different types
        // (REGULAR, AD_HOC_PAYMENT, ...) are for different sessions.
        var reported = new HashSet<string>(StringComparer.Ordinal);
        var siteWide = versions.Where(v => v.Chargers.Count == 0).ToList();
        foreach (var group in siteWide.GroupBy(v => v.Type))
        {
            Overlaps([.. group], "charging tariff", "endDateTime", reported);
        }

        foreach (var charger in versions.SelectMany(v => v.Chargers).Distinct(StringComparer.Ordinal).ToList())
        {
            foreach (var group in versions.Where(v => v.Chargers.Contains(charger, StringComparer.Ordinal)).GroupBy(v => v.Type))
            {
                Overlaps([.. group], "charging tariff", "endDateTime", reported, charger);
            }
        }

        Gaps([.. siteWide.Where(v => v.Type is null or TariffType.Regular)], Paths.Field(path, "charging"), "no charging tariff for the whole site is in force", "charging then is not billed");
        return list;
    }

    /// <summary>One charging tariff; <paramref name="version"/> is its validity when that could be read.</summary>
    private ChargingTariff? ChargingTariffOf(DocumentMapping written, string path, Dictionary<string, string> ids, int index, out TariffVersion? version)
    {
        var before = FoundErrors.Count;
        var warningsBefore = FoundWarnings.Count;
        var (tariff, ocpi) = Camelized(written, path);
        CheckOcpiFields(tariff, path, ChargingTariffFields);
        var id = _calculator && tariff.Find("id") is null ? $"tariff-{index + 1}" : TariffId(tariff, path, ids);
        TariffCurrency(tariff, path);
        var type = Choice(tariff, path, "type", TariffTypes, required: false);
        var (from, to, validityOk) = Validity(tariff, path, "startDateTime", "endDateTime", ocpi);
        var chargers = _calculator ? [] : TariffChargers(tariff, path);
        var minPrice = PriceLimit(tariff, path, "minPrice");
        var maxPrice = PriceLimit(tariff, path, "maxPrice");
        if (minPrice is { } min && maxPrice is { } max && max.Excl < min.Excl)
        {
            Error(Paths.Field(path, "maxPrice"), $"{Show(max.Excl)} is less than minPrice {Show(min.Excl)}", tariff.Find("maxPrice")!.Line);
        }

        if (Choice(tariff, path, "taxIncluded", TaxIncluded, required: false) == true)
        {
            Error(Paths.Field(path, "taxIncluded"), "YES is not supported: give prices excluding VAT with each component's vat", tariff.Find("taxIncluded")!.Line);
        }

        var vat = Percentage(tariff, path, "vat");
        var elements = TariffElements(tariff, path);
        version = validityOk ? new TariffVersion(id, from, to, path, tariff.Line, chargers, type) : null;
        var read = FoundErrors.Count == before && id is not null
            ? new ChargingTariff
            {
                Id = id,
                Elements = elements,
                MinPrice = minPrice?.Excl,
                MinPriceInclVat = minPrice?.Incl,
                MaxPrice = maxPrice?.Excl,
                MaxPriceInclVat = maxPrice?.Incl,
                Vat = vat ?? 0,
                ValidFrom = from,
                ValidTo = to,
                Chargers = [.. chargers.Select(c => new Core.Charging.ChargerId(c))],
                Type = type,
                Currency = Text(tariff, path, "currency", required: false)?.Trim(),
                CountryCode = Text(tariff, path, "countryCode", required: false),
                PartyId = Text(tariff, path, "partyId", required: false),
                AltText = AltTexts(tariff, path),
                AltUrl = Text(tariff, path, "tariffAltUrl", required: false),
                EnergyMix = written.Entries.FirstOrDefault(e => Camel(e.Key) == "energyMix" && e.Value is not DocumentScalar { IsNull: true })?.Value is { } mix ? DocumentJson.Write(mix) : null,
                LastUpdated = Instant(tariff, path, "lastUpdated", ocpi),
            }
            : null;

        if (ocpi)
        {
            Snake(FoundErrors, before, path);
            Snake(FoundWarnings, warningsBefore, path);
        }

        return read;
    }

    private void TariffCurrency(DocumentMapping tariff, string path)
    {
        var currency = Text(tariff, path, "currency", required: false);
        if (currency is not null && _currency is not null && currency.Trim() != _currency)
        {
            Error(Paths.Field(path, "currency"), _calculator
                ? $"'{currency}' is not the CDR's currency ({_currency})"
                : $"'{currency}' is not the site's currency ({_currency}); a site bills in one currency", tariff.Find("currency")!.Line);
        }
    }

    private List<string> TariffChargers(DocumentMapping tariff, string path)
    {
        var chargers = new List<string>();
        var known = _chargerIds.Concat(_registeredChargers).Distinct(StringComparer.Ordinal).ToList();
        foreach (var (node, chargerPath) in Elements(tariff, path, "chargers"))
        {
            if (ScalarText(node, chargerPath, "a charger id") is not { } id)
            {
                continue;
            }

            if (!known.Contains(id, StringComparer.Ordinal))
            {
                Error(chargerPath, $"charger '{id}' {_unknownCharger}{DidYouMean(id, known)}", node.Line);
            }
            else if (chargers.Contains(id, StringComparer.Ordinal))
            {
                Error(chargerPath, $"charger '{id}' is listed twice", node.Line);
            }
            else
            {
                chargers.Add(id);
            }
        }

        if (tariff.Find("chargers") is { Value: DocumentSequence { Items.Count: 0 } } empty)
        {
            Error(Paths.Field(path, "chargers"), "is empty: leave it out for a tariff of every charger of the site", empty.Line);
        }

        return chargers;
    }

    /// <summary>
    /// OCPI's min_price or max_price: a Price object (<c>excl_vat</c>, and <c>incl_vat</c> if given), or a number (the
    /// amount excluding VAT, ParkCharge's older form, with the tariff's <c>vat</c> for the amount including it).
    /// </summary>
    private (decimal Excl, decimal? Incl)? PriceLimit(DocumentMapping tariff, string path, string name)
    {
        if (tariff.Find(name) is { Value: DocumentMapping price })
        {
            var pricePath = Paths.Field(path, name);
            CheckOcpiFields(price, pricePath, PriceFields);
            var excl = Amount(price, pricePath, "exclVat", required: true);
            var incl = Amount(price, pricePath, "inclVat", required: false);
            if (excl is { } e && incl is { } i && i < e)
            {
                Error(Paths.Field(pricePath, "inclVat"), $"{Show(i)} is less than exclVat {Show(e)}", price.Find("inclVat")!.Line);
            }

            return excl is { } amount ? (amount, incl) : null;
        }

        return Amount(tariff, path, name, required: false) is { } number ? (number, null) : null;
    }

    /// <summary>An OCPI price: not negative, with as many decimals as it has (it is multiplied before the total is rounded).</summary>
    private decimal? Amount(DocumentMapping mapping, string path, string name, bool required)
    {
        var value = DecimalNumber(mapping, path, name, required);
        if (value < 0)
        {
            Error(Paths.Field(path, name), $"must not be negative (it is {Show(value.Value)})", mapping.Find(name)!.Line);
            return null;
        }

        return value;
    }

    private List<DisplayText> AltTexts(DocumentMapping tariff, string path)
    {
        var texts = new List<DisplayText>();
        foreach (var (text, textPath) in Items(tariff, path, "tariffAltText", "a DisplayText"))
        {
            CheckOcpiFields(text, textPath, DisplayTextFields);
            var language = Text(text, textPath, "language", required: true);
            var value = Text(text, textPath, "text", required: true);
            if (language is not null && value is not null)
            {
                texts.Add(new DisplayText(language, value));
            }
        }

        return texts;
    }

    private List<TariffElement> TariffElements(DocumentMapping tariff, string path)
    {
        var elements = new List<TariffElement>();
        var count = 0;
        foreach (var (element, elementPath) in Items(tariff, path, "elements", "a tariff element"))
        {
            count++;
            var before = FoundErrors.Count;
            CheckOcpiFields(element, elementPath, ElementFields);
            var components = PriceComponents(element, elementPath);
            var restrictions = Mapping(element, elementPath, "restrictions") is { } r ? Restrictions(r, Paths.Field(elementPath, "restrictions")) : null;
            if (restrictions is { StartTime: null, EndTime: null, StartDate: null, EndDate: null, MinKwh: null, MaxKwh: null, MinCurrent: null, MaxCurrent: null }
                and { MinPowerKw: null, MaxPowerKw: null, MinDurationSeconds: null, MaxDurationSeconds: null, DaysOfWeek.Count: 0, Reservation: null })
            {
                restrictions = null; // "restrictions: {}" restricts nothing
            }

            if (restrictions is { Reservation: not null } && components.Any(c => c.Type is TariffDimension.Energy or TariffDimension.ParkingTime))
            {
                Error(Paths.Field(elementPath, "priceComponents"), "a reservation element prices only FLAT and TIME (the reservation's duration), OCPI says; ENERGY and PARKING_TIME here would never apply", element.Line);
            }

            if (!_calculator && restrictions is { Reservation: not null })
            {
                Warn(Paths.Field(elementPath, "restrictions"), "ParkCharge takes no reservations: this element prices only CDRs given to the price calculator", element.Line);
            }

            if (!_calculator && restrictions is { MinCurrent: not null } or { MaxCurrent: not null })
            {
                Warn(Paths.Field(elementPath, "restrictions"), "current restrictions are checked against the Current.Import chargers report; at a charger that reports no current, this element never applies", element.Line);
            }

            if (FoundErrors.Count == before)
            {
                elements.Add(new TariffElement(components, restrictions));
            }
        }

        if (count == 0 && !(tariff.Find("elements") is { Value: not DocumentSequence and not DocumentScalar { IsNull: true } }))
        {
            Error(Paths.Field(path, "elements"), "is required: at least one element with its priceComponents (OCPI)", tariff.Find("elements")?.Line ?? tariff.Line);
        }

        return elements;
    }

    private List<PriceComponent> PriceComponents(DocumentMapping element, string path)
    {
        var components = new List<PriceComponent>();
        var types = new Dictionary<TariffDimension, string>();
        var count = 0;
        foreach (var (component, componentPath) in Items(element, path, "priceComponents", "a price component"))
        {
            count++;
            var before = FoundErrors.Count;
            CheckOcpiFields(component, componentPath, PriceComponentFields);
            var type = Choice(component, componentPath, "type", Dimensions, required: true);
            var price = Amount(component, componentPath, "price", required: true);
            var vat = Percentage(component, componentPath, "vat");
            var step = WholeNumber(component, componentPath, "stepSize", required: false);
            if (step < 0)
            {
                Error(Paths.Field(componentPath, "stepSize"), $"is 0 or more (Wh for ENERGY, seconds for TIME and PARKING_TIME), not {step}", component.Find("stepSize")!.Line);
            }
            else if (step == 0 && type is not null and not TariffDimension.Flat)
            {
                Warn(Paths.Field(componentPath, "stepSize"), $"0 bills {TariffText.Dimension(type.Value)} exactly as measured (1 would round it up to the next {(type == TariffDimension.Energy ? "Wh" : "second")})", component.Find("stepSize")!.Line);
            }

            if (type is { } t && !types.TryAdd(t, componentPath))
            {
                var message = $"{TariffText.Dimension(t)} is already priced by {types[t]}; the first of an element applies, so this one never would";
                if (_calculator)
                {
                    Warn(Paths.Field(componentPath, "type"), message, component.Find("type")!.Line);
                    continue;
                }

                Error(Paths.Field(componentPath, "type"), message, component.Find("type")!.Line);
            }

            if (FoundErrors.Count == before && type is not null && price is not null)
            {
                components.Add(new PriceComponent(type.Value, price.Value, vat ?? 0, step ?? 1));
            }
        }

        if (count == 0 && !(element.Find("priceComponents") is { Value: not DocumentSequence and not DocumentScalar { IsNull: true } }))
        {
            Error(Paths.Field(path, "priceComponents"), "is required: at least one of ENERGY, FLAT, TIME, PARKING_TIME with its price (OCPI)", element.Find("priceComponents")?.Line ?? element.Line);
        }

        return components;
    }

    private TariffRestrictions Restrictions(DocumentMapping r, string path)
    {
        CheckOcpiFields(r, path, RestrictionFields);
        var startTime = TimeOfDay(r, path, "startTime", endOfDay: false);
        var endTime = TimeOfDay(r, path, "endTime", endOfDay: true);
        var startDate = Date(r, path, "startDate");
        var endDate = Date(r, path, "endDate");
        if (startDate is { } sd && endDate is { } ed && ed <= sd)
        {
            Error(Paths.Field(path, "endDate"), $"{TariffText.Date(ed)} is not after startDate {TariffText.Date(sd)} (endDate is the first day the element no longer applies)", r.Find("endDate")!.Line);
        }

        var (minKwh, maxKwh) = Range(r, path, "minKwh", "maxKwh");
        var (minCurrent, maxCurrent) = Range(r, path, "minCurrent", "maxCurrent");
        var (minPower, maxPower) = Range(r, path, "minPower", "maxPower");
        var minDuration = Seconds(r, path, "minDuration");
        var maxDuration = Seconds(r, path, "maxDuration");
        if (minDuration is { } minS && maxDuration is { } maxS && maxS <= minS)
        {
            Error(Paths.Field(path, "maxDuration"), $"{Durations.Format(TimeSpan.FromSeconds(maxS))} is not longer than minDuration {Durations.Format(TimeSpan.FromSeconds(minS))}", r.Find("maxDuration")!.Line);
        }

        return new TariffRestrictions
        {
            StartTime = startTime,
            EndTime = endTime,
            StartDate = startDate,
            EndDate = endDate,
            MinKwh = minKwh,
            MaxKwh = maxKwh,
            MinCurrent = minCurrent,
            MaxCurrent = maxCurrent,
            MinPowerKw = minPower,
            MaxPowerKw = maxPower,
            MinDurationSeconds = minDuration,
            MaxDurationSeconds = maxDuration,
            DaysOfWeek = Days(r, path, "dayOfWeek", emptyMeansEvery: _ocpiForm),
            Reservation = Choice(r, path, "reservation", Reservations, required: false),
        };
    }

    private (decimal? Min, decimal? Max) Range(DocumentMapping r, string path, string minName, string maxName)
    {
        var min = NonNegativeNumber(r, path, minName);
        var max = NonNegativeNumber(r, path, maxName);
        if (min is { } a && max is { } b && b <= a)
        {
            Error(Paths.Field(path, maxName), $"{Show(b)} is not more than {minName} {Show(a)}", r.Find(maxName)!.Line);
        }

        return (min, max);
    }

    /// <summary>A duration in whole seconds (OCPI's min_duration and max_duration count seconds).</summary>
    private int? Seconds(DocumentMapping r, string path, string name)
    {
        var duration = NonNegativeDuration(r, path, name);
        if (duration is not { } d)
        {
            return null;
        }

        if (d.Ticks % TimeSpan.TicksPerSecond != 0 || d.TotalSeconds > int.MaxValue)
        {
            Error(Paths.Field(path, name), $"is counted in whole seconds (it is {Durations.Format(d)})", r.Find(name)!.Line);
            return null;
        }

        return (int)d.TotalSeconds;
    }

    // --- OCPI's spelling -------------------------------------------------------------------------------------

    // Set while a tariff written in OCPI's snake_case is read: OCPI's own conventions apply to it (a DateTime
    // without an offset is UTC, an empty day_of_week is every day).
    private bool _ocpiForm;

    /// <summary>
    /// The tariff with snake_case keys read as camelCase (recursively, except inside energy_mix, which is kept as
    /// written). <c>Ocpi</c>: it is written as OCPI writes it, snake_case and no camelCase; a tariff that mixes the two
    /// is read all the same, and reported in camelCase. A field written both ways is an error.
    /// </summary>
    private (DocumentMapping Mapping, bool Ocpi) Camelized(DocumentMapping mapping, string path)
    {
        var snake = false;
        var camel = false;
        var result = Walk(mapping, path);
        _ocpiForm = (snake || _calculator) && !camel; // the calculator speaks OCPI: a tariff without a multi-word field is OCPI's too
        return ((DocumentMapping)result, _ocpiForm);

        DocumentNode Walk(DocumentNode node, string at)
        {
            switch (node)
            {
                case DocumentMapping m:
                    var entries = new List<DocumentEntry>();
                    var seen = new Dictionary<string, string>(StringComparer.Ordinal);
                    foreach (var entry in m.Entries)
                    {
                        var key = Camel(entry.Key);
                        snake |= key != entry.Key;
                        camel |= entry.Key.Any(char.IsUpper);
                        if (!seen.TryAdd(key, entry.Key))
                        {
                            Error(Paths.Field(at, entry.Key), $"is written twice (also as {seen[key]})", entry.Line);
                            continue;
                        }

                        var value = key == "energyMix" ? entry.Value : Walk(entry.Value, Paths.Field(at, entry.Key));
                        entries.Add(new DocumentEntry(key, value, entry.Line));
                    }

                    return new DocumentMapping(entries, m.Line);
                case DocumentSequence s:
                    return new DocumentSequence([.. s.Items.Select((item, i) => Walk(item, Paths.Item(at, i)))], s.Line);
                default:
                    return node;
            }
        }
    }

    /// <summary>Problems of a tariff written in snake_case are reported in snake_case.</summary>
    private static void Snake(List<DocumentProblem> problems, int from, string path)
    {
        for (var i = from; i < problems.Count; i++)
        {
            var problem = problems[i];
            var inside = problem.Path.StartsWith(path, StringComparison.Ordinal) ? problem.Path[path.Length..] : null;
            problems[i] = problem with
            {
                Path = inside is null ? problem.Path : path + CamelWord().Replace(inside, m => Snake(m.Value)),
                Message = CamelWord().Replace(problem.Message, m => OcpiCamelNames.Contains(m.Value) ? Snake(m.Value) : m.Value),
            };
        }
    }

    private static readonly HashSet<string> OcpiCamelNames = new(
        ChargingTariffFields.Concat(ElementFields).Concat(PriceComponentFields).Concat(PriceFields).Concat(RestrictionFields).Where(n => n.Any(char.IsUpper)),
        StringComparer.Ordinal);

    private static string Snake(string camel)
    {
        var text = new StringBuilder();
        foreach (var c in camel)
        {
            if (char.IsUpper(c))
            {
                text.Append('_').Append(char.ToLowerInvariant(c));
            }
            else
            {
                text.Append(c);
            }
        }

        return text.ToString();
    }

    private static string Camel(string name)
    {
        if (!name.Contains('_', StringComparison.Ordinal))
        {
            return name;
        }

        var text = new StringBuilder();
        var upper = false;
        foreach (var c in name)
        {
            if (c == '_')
            {
                upper = text.Length > 0;
                continue;
            }

            text.Append(upper ? char.ToUpperInvariant(c) : char.ToLowerInvariant(c));
            upper = false;
        }

        return text.ToString();
    }

    /// <summary>Reports unknown fields (warnings for the calculator), and says how a misspelt field is written.</summary>
    private void CheckOcpiFields(DocumentMapping mapping, string path, string[] known)
    {
        foreach (var entry in mapping.Entries.Where(e => !known.Contains(e.Key, StringComparer.Ordinal)))
        {
            var entryPath = Paths.Field(path, entry.Key);
            var hint = Spelling.Closest(entry.Key, known) is { } closest ? $"; did you mean {closest}?" : $" (known: {string.Join(", ", known)})";
            if (_calculator)
            {
                Warn(entryPath, $"unknown field, ignored{hint}", entry.Line);
            }
            else
            {
                Error(entryPath, $"unknown field{hint}", entry.Line);
            }
        }
    }

    [GeneratedRegex("[A-Za-z]+", RegexOptions.CultureInvariant)]
    private static partial Regex CamelWord();
}
