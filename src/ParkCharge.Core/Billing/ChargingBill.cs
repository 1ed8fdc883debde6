using System.Globalization;

namespace ParkCharge.Core.Billing;

/// <summary>
/// A priced charging session as bill lines: one per tariff element and dimension (quantity, unit price, rule), and a
/// line for a min_price or max_price that changed the total. The session's total is rounded once, excluding and
/// including VAT, and shared out over the lines (each within a cent of its exact amount), so the lines add up to it.
/// </summary>
public static class ChargingBill
{
    public static IReadOnlyList<BillLine> Lines(PricedCdr priced, int minorUnits, string? chargingSessionId)
    {
        var groups = priced.Volumes
            .GroupBy(v => (v.Tariff.Id, v.Element, v.Dimension, v.Reservation))
            .Select(g => g.ToList())
            .OrderBy(g => g[0].Reservation ? 0 : 1)
            .ThenBy(g => g[0].Dimension)
            .ThenBy(g => g[0].From)
            .ToList();
        var exact = groups.Select(g => g.Aggregate(Cost.Zero, (sum, v) => sum + v.Cost).Rounded(CdrPricing.Exact)).ToList();
        var uncapped = priced.Uncapped.Rounded(minorUnits);
        var amounts = Share([.. exact.Select(c => c.ExclVat)], uncapped.ExclVat, minorUnits);
        var vats = Share([.. exact.Select(c => c.Vat)], uncapped.Vat, minorUnits);

        var lines = new List<BillLine>();
        for (var i = 0; i < groups.Count; i++)
        {
            var group = groups[i];
            var first = group[0];
            var component = first.Component;
            var (what, unit) = (first.Dimension, first.Reservation) switch
            {
                (TariffDimension.Energy, _) => ("Energy", "kWh"),
                (TariffDimension.Time, true) => ("Reservation time", "h"),
                (TariffDimension.Time, false) => ("Charging time", "h"),
                (TariffDimension.ParkingTime, _) => ("Connected, not charging", "h"),
                (_, true) => ("Reservation fee", "reservation"),
                _ => ("Charging session fee", "session"),
            };
            var quantity = first.Dimension == TariffDimension.Flat ? 1 : group.Sum(v => v.Billed);
            lines.Add(new BillLine
            {
                Kind = BillLineKind.Charging,
                Description = what,
                From = group.Min(v => v.From),
                To = group.Max(v => v.To),
                Quantity = Math.Round(quantity, 4),
                Unit = unit,
                UnitPrice = component.Price,
                AmountExclVat = amounts[i],
                VatPercent = component.Vat,
                Vat = vats[i],
                Rule = Rule(priced, first),
                ChargingSessionId = chargingSessionId,
            });
        }

        if (priced.Limit is { } limit)
        {
            var total = priced.Rounded(minorUnits);
            var excl = total.ExclVat - uncapped.ExclVat;
            var vat = total.Vat - uncapped.Vat;
            var tariff = priced.Tariff;
            var (name, price, priceIncl) = limit == PriceLimit.MaxPrice
                ? ("maximum", tariff.MaxPrice, tariff.MaxPriceInclVat)
                : ("minimum", tariff.MinPrice, tariff.MinPriceInclVat);
            lines.Add(new BillLine
            {
                Kind = BillLineKind.ChargingAdjustment,
                Description = $"Charging, {name} price",
                From = priced.Session.Start,
                To = priced.Session.End,
                Quantity = 1,
                Unit = "session",
                UnitPrice = excl,
                AmountExclVat = excl,
                VatPercent = excl != 0 ? Math.Round(vat / excl * 100, 2, MidpointRounding.AwayFromZero) : tariff.Vat,
                Vat = vat,
                Rule = $"charging tariff '{tariff.Id}': {(limit == PriceLimit.MaxPrice ? "max_price" : "min_price")} {Show(price)} excl. VAT" +
                    (priceIncl is { } incl ? $", {Show(incl)} incl. VAT" : "") +
                    $": the session comes to {Show(total.ExclVat)} excl. VAT, {Show(total.InclVat)} incl. VAT",
                ChargingSessionId = chargingSessionId,
            });
        }

        return lines;
    }

    /// <summary>
    /// Rounds each amount and then moves single minor units between them (the ones rounding moved furthest first) until
    /// they add up to <paramref name="total"/>: the total is rounded once, the lines follow it.
    /// </summary>
    public static decimal[] Share(decimal[] exact, decimal total, int minorUnits)
    {
        var unit = 1m / (decimal)Math.Pow(10, minorUnits);
        var rounded = exact.Select(x => Math.Round(x, minorUnits, MidpointRounding.AwayFromZero)).ToArray();
        var missing = (int)Math.Round((total - rounded.Sum()) / unit);
        while (missing != 0 && rounded.Length > 0)
        {
            var sign = Math.Sign(missing);
            var best = 0;
            for (var i = 1; i < rounded.Length; i++)
            {
                if (sign * (exact[i] - rounded[i]) > sign * (exact[best] - rounded[best]))
                {
                    best = i;
                }
            }

            rounded[best] += sign * unit;
            missing -= sign;
        }

        return rounded;
    }

    private static string Rule(PricedCdr priced, PricedVolume volume)
    {
        var rule = $"charging tariff '{volume.Tariff.Id}', element {volume.Element + 1}, {Dimension(volume.Dimension)}" + (volume.Reservation ? " (reservation)" : "");
        var step = priced.Steps.FirstOrDefault(s => s.Dimension == volume.Dimension && s.Reservation == volume.Reservation && s.TariffId == volume.Tariff.Id && s.Element == volume.Element);
        if (step is null || step.StepSize <= 1 && step.Billed == step.Measured)
        {
            return rule;
        }

        return volume.Dimension == TariffDimension.Energy
            ? $"{rule}, step {step.StepSize} Wh on the session's {Show(Math.Round(step.Measured, 4))} kWh: {Show(Math.Round(step.Billed, 4))} kWh billed"
            : $"{rule}, step {step.StepSize} s on the session's {Minutes(step.Measured)} min: {Minutes(step.Billed)} min billed";
    }

    private static string Minutes(decimal hours) => Show(Math.Round(hours * 60, 2));

    private static string Show(decimal? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";

    public static string Dimension(TariffDimension dimension) => dimension switch
    {
        TariffDimension.Energy => "ENERGY",
        TariffDimension.Time => "TIME",
        TariffDimension.ParkingTime => "PARKING_TIME",
        _ => "FLAT",
    };
}
