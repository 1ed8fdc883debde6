using System.Globalization;
using System.Text.Json.Nodes;

using ParkCharge.Core.Billing;
using ParkCharge.Core.Sites.Files;

namespace ParkCharge.Server.Ocpi;

/// <summary>
/// OCPI 2.2.1 objects as JSON (snake_case, as OCPI writes them): Tariffs, and CDRs with their charging periods and
/// totals. Numbers are written as OCPI asks (quantities with 4 decimals), amounts rounded once to the currency.
/// </summary>
internal static class OcpiJson
{
    /// <summary>An OCPI DateTime: RFC 3339 in UTC.</summary>
    public static string DateTime(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    /// <summary>An OCPI DateTime read back: with a zone designator or offset, or without one (then UTC, as OCPI says).</summary>
    public static bool TryParseDateTime(string? text, out DateTimeOffset at) =>
        DateTimeOffset.TryParse(text?.Trim(), CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out at);

    /// <summary>A quantity as OCPI writes numbers: 4 decimals.</summary>
    public static decimal Quantity(decimal value) => Math.Round(value, 4, MidpointRounding.AwayFromZero);

    public static JsonObject Price(Cost cost) => new() { ["excl_vat"] = cost.ExclVat, ["incl_vat"] = cost.InclVat };

    /// <summary>An exact figure without the trailing zeros its computation left (4.00000 is 4).</summary>
    public static decimal Plain(decimal value) => value / 1.0000000000000000000000000000m;

    private static JsonObject Exact(Cost cost) => new() { ["excl_vat"] = Plain(cost.ExclVat), ["incl_vat"] = Plain(cost.InclVat) };

    /// <summary>A charging tariff as an OCPI 2.2.1 Tariff object (what was given, with the site's currency when it had none).</summary>
    public static JsonObject Tariff(ChargingTariff tariff, string currency, DateTimeOffset now)
    {
        var json = new JsonObject();
        Set(json, "country_code", tariff.CountryCode);
        Set(json, "party_id", tariff.PartyId);
        json["id"] = tariff.Id;
        json["currency"] = tariff.Currency ?? currency;
        Set(json, "type", tariff.Type is { } type ? OcpiNames.Of(type) : null);
        if (tariff.AltText.Count > 0)
        {
            json["tariff_alt_text"] = new JsonArray([.. tariff.AltText.Select(t => new JsonObject { ["language"] = t.Language, ["text"] = t.Text })]);
        }

        Set(json, "tariff_alt_url", tariff.AltUrl);
        if (Limit(tariff.MinPrice, tariff.MinPriceInclVat, tariff.Vat) is { } min)
        {
            json["min_price"] = min;
        }

        if (Limit(tariff.MaxPrice, tariff.MaxPriceInclVat, tariff.Vat) is { } max)
        {
            json["max_price"] = max;
        }

        json["elements"] = new JsonArray([.. tariff.Elements.Select(Element)]);
        Set(json, "start_date_time", tariff.ValidFrom is { } from ? DateTime(from) : null);
        Set(json, "end_date_time", tariff.ValidTo is { } to ? DateTime(to) : null);
        if (tariff.EnergyMix is { } mix)
        {
            json["energy_mix"] = JsonNode.Parse(mix);
        }

        json["last_updated"] = DateTime(tariff.LastUpdated ?? now);
        return json;
    }

    private static JsonObject? Limit(decimal? excl, decimal? incl, decimal vat) => excl is { } e
        ? new JsonObject { ["excl_vat"] = e, ["incl_vat"] = incl ?? (vat != 0 ? e + e * vat / 100 : e) }
        : null;

    private static JsonObject Element(TariffElement element)
    {
        var json = new JsonObject
        {
            ["price_components"] = new JsonArray([.. element.PriceComponents.Select(c =>
            {
                var component = new JsonObject { ["type"] = OcpiNames.Of(c.Type), ["price"] = c.Price };
                if (c.Vat != 0)
                {
                    component["vat"] = c.Vat;
                }

                component["step_size"] = c.StepSize;
                return (JsonNode)component;
            })]),
        };
        if (element.Restrictions is { } r)
        {
            var restrictions = new JsonObject();
            Set(restrictions, "start_time", r.StartTime is { } st ? TariffText.Time(st) : null);
            Set(restrictions, "end_time", r.EndTime is { } et ? TariffText.Time(et) : null);
            Set(restrictions, "start_date", r.StartDate is { } sd ? TariffText.Date(sd) : null);
            Set(restrictions, "end_date", r.EndDate is { } ed ? TariffText.Date(ed) : null);
            Set(restrictions, "min_kwh", r.MinKwh);
            Set(restrictions, "max_kwh", r.MaxKwh);
            Set(restrictions, "min_current", r.MinCurrent);
            Set(restrictions, "max_current", r.MaxCurrent);
            Set(restrictions, "min_power", r.MinPowerKw);
            Set(restrictions, "max_power", r.MaxPowerKw);
            Set(restrictions, "min_duration", r.MinDurationSeconds);
            Set(restrictions, "max_duration", r.MaxDurationSeconds);
            if (r.DaysOfWeek.Count > 0)
            {
                restrictions["day_of_week"] = new JsonArray([.. r.DaysOfWeek.Select(d => (JsonNode)OcpiNames.Of(d))]);
            }

            Set(restrictions, "reservation", r.Reservation is { } reservation ? OcpiNames.Of(reservation) : null);
            json["restrictions"] = restrictions;
        }

        return json;
    }

    /// <summary>A charging period as OCPI writes it: its start, the dimensions it has a volume for, and its tariff.</summary>
    public static JsonObject Period(CdrPeriod period)
    {
        var dimensions = new JsonArray();
        void Dimension(string type, decimal? volume)
        {
            if (volume is { } v)
            {
                dimensions.Add(new JsonObject { ["type"] = type, ["volume"] = Quantity(v) });
            }
        }

        Dimension("ENERGY", period.EnergyKwh);
        Dimension("TIME", period.ChargingHours);
        Dimension("PARKING_TIME", period.ParkingHours);
        Dimension("RESERVATION_TIME", period.ReservationHours);
        Dimension("MIN_CURRENT", period.MinCurrent);
        Dimension("MAX_CURRENT", period.MaxCurrent);
        Dimension("MIN_POWER", period.MinPowerKw);
        Dimension("MAX_POWER", period.MaxPowerKw);
        var json = new JsonObject { ["start_date_time"] = DateTime(period.Start), ["dimensions"] = dimensions };
        Set(json, "tariff_id", period.TariffId);
        return json;
    }

    /// <summary>
    /// Writes the CDR's totals (OCPI's total_* fields) from a pricing, amounts rounded once to the currency's minor units;
    /// and, as ParkCharge's extension <c>price_breakdown</c>, how each volume was priced.
    /// </summary>
    public static void Totals(JsonObject cdr, PricedCdr priced, int minorUnits)
    {
        cdr["total_cost"] = Price(priced.Rounded(minorUnits));
        cdr["total_fixed_cost"] = Price(priced.FixedCost.Rounded(minorUnits));
        // A CDR whose periods carry no ENERGY keeps the total energy it states (the tariff did not need it per period).
        if (priced.Session.Periods.Any(p => p.EnergyKwh is not null) || cdr["total_energy"] is null)
        {
            cdr["total_energy"] = Quantity(priced.TotalEnergyKwh);
        }

        cdr["total_energy_cost"] = Price(priced.EnergyCost.Rounded(minorUnits));
        cdr["total_time"] = Quantity(priced.TotalTimeHours);
        cdr["total_time_cost"] = Price(priced.TimeCost.Rounded(minorUnits));
        cdr["total_parking_time"] = Quantity(priced.TotalParkingHours);
        cdr["total_parking_cost"] = Price(priced.ParkingCost.Rounded(minorUnits));
        cdr["total_reservation_cost"] = Price(priced.ReservationCost.Rounded(minorUnits));
        cdr["price_breakdown"] = Breakdown(priced);
    }

    private static JsonObject Breakdown(PricedCdr priced)
    {
        var breakdown = new JsonObject
        {
            ["tariff_id"] = priced.Tariff.Id,
            ["volumes"] = new JsonArray([.. priced.Volumes.Select(v => (JsonNode)new JsonObject
            {
                ["period"] = v.Period,
                ["start_date_time"] = DateTime(v.From),
                ["type"] = OcpiNames.Of(v.Dimension),
                ["reservation"] = v.Reservation,
                ["volume"] = Plain(v.Volume),
                ["billed_volume"] = Plain(v.Billed),
                ["tariff_id"] = v.Tariff.Id,
                ["element"] = v.Element,
                ["price"] = v.Component.Price,
                ["vat"] = v.Component.Vat,
                ["step_size"] = v.Component.StepSize,
                ["cost"] = Exact(v.Cost),
            })]),
            ["step_sizes"] = new JsonArray([.. priced.Steps.Select(s => (JsonNode)new JsonObject
            {
                ["type"] = OcpiNames.Of(s.Dimension),
                ["reservation"] = s.Reservation,
                ["step_size"] = s.StepSize,
                ["measured"] = Plain(s.Measured),
                ["billed"] = Plain(s.Billed),
                ["tariff_id"] = s.TariffId,
                ["element"] = s.Element,
            })]),
            ["cost_before_limits"] = Exact(priced.Uncapped),
            ["exact_total_cost"] = Exact(priced.Total),
        };
        if (priced.Limit is { } limit)
        {
            breakdown["limit_applied"] = limit == PriceLimit.MaxPrice ? "max_price" : "min_price";
        }

        if (priced.Warnings.Count > 0)
        {
            breakdown["warnings"] = new JsonArray([.. priced.Warnings.Select(w => (JsonNode)w)]);
        }

        return breakdown;
    }

    private static void Set(JsonObject json, string name, string? value)
    {
        if (value is not null)
        {
            json[name] = value;
        }
    }

    private static void Set(JsonObject json, string name, decimal? value)
    {
        if (value is { } v)
        {
            json[name] = v;
        }
    }

    private static void Set(JsonObject json, string name, int? value)
    {
        if (value is { } v)
        {
            json[name] = v;
        }
    }
}
