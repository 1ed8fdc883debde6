using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ParkCharge.Core.Billing;

/// <summary>
/// When an OCPP 2.1 tariff price applies (TariffConditionsType): local time of day (an end before the start wraps
/// midnight, an end of 00:00 is the end of the day), weekdays, local dates (from inclusive, to exclusive), the energy
/// delivered in the transaction (Wh, min inclusive, max exclusive) and the transaction's duration (seconds since it
/// started, charging and idle, min inclusive, max exclusive). All set conditions must hold; they are evaluated
/// continuously, so a price starts or stops applying the moment one of them changes.
/// </summary>
public sealed record ChargerTariffConditions
{
    public TimeOnly? StartTimeOfDay { get; init; }

    public TimeOnly? EndTimeOfDay { get; init; }

    public IReadOnlyList<DayOfWeek> DaysOfWeek { get; init; } = [];

    public DateOnly? ValidFromDate { get; init; }

    public DateOnly? ValidToDate { get; init; }

    public decimal? MinEnergyWh { get; init; }

    public decimal? MaxEnergyWh { get; init; }

    public int? MinTimeSeconds { get; init; }

    public int? MaxTimeSeconds { get; init; }
}

/// <summary>One price of a 2.1 tariff dimension: per kWh, per minute or fixed, and when it applies (null: always).</summary>
public sealed record ChargerTariffPrice(decimal Price, ChargerTariffConditions? Conditions = null);

/// <summary>A 2.1 tariff dimension (TariffEnergyType, TariffTimeType, TariffFixedType): prices in order (the first that applies is used) and the VAT on them.</summary>
public sealed record ChargerTariffPart(IReadOnlyList<ChargerTariffPrice> Prices, decimal VatPercent);

/// <summary>A 2.1 PriceType: a cost limit excluding and including tax.</summary>
public sealed record ChargerTariffLimit(decimal ExclTax, decimal InclTax);

/// <summary>
/// The charging tariff as an OCPP 2.1 charger holds it (TariffType) for its local cost calculation, made by
/// <see cref="ChargerTariffs.From"/> from the tariff that bills. The id carries the version: a change to the
/// tariff is a new id.
/// </summary>
public sealed record ChargerTariff
{
    public required string TariffId { get; init; }

    /// <summary>The site's tariff the charger's is made from.</summary>
    public required string SourceTariffId { get; init; }

    public required string Currency { get; init; }

    public DateTimeOffset? ValidFrom { get; init; }

    public IReadOnlyList<DisplayText> Description { get; init; } = [];

    public ChargerTariffPart? Energy { get; init; }

    /// <summary>Per minute while energy flows.</summary>
    public ChargerTariffPart? ChargingTime { get; init; }

    /// <summary>Per minute of the transaction while no energy flows (OCPI PARKING_TIME).</summary>
    public ChargerTariffPart? IdleTime { get; init; }

    /// <summary>Once per transaction.</summary>
    public ChargerTariffPart? FixedFee { get; init; }

    public ChargerTariffLimit? MinCost { get; init; }

    public ChargerTariffLimit? MaxCost { get; init; }
}

/// <summary>The site's tariff for a charger, or why it is not sent: a charger must never show a price the bill would not charge.</summary>
public sealed record ChargerTariffMapping(ChargerTariff? Tariff, IReadOnlyList<string> Problems)
{
    public bool Sendable => Tariff is not null;
}

/// <summary>
/// Maps the OCPI tariff that bills charging (<see cref="ChargingTariff"/>, priced by <see cref="CdrPricing"/> on the
/// periods of <see cref="SessionPeriods"/>) to the OCPP 2.1 tariff a charger calculates the running cost with, only
/// when the charger's calculation gives the bill's charging total:
/// <list type="bullet">
/// <item>ENERGY → <c>energy</c> (per kWh), TIME → <c>chargingTime</c> (per hour / 60), PARKING_TIME → <c>idleTime</c>
/// (per hour / 60), FLAT → <c>fixedFee</c>; each dimension's prices in the order of the tariff's elements, since both
/// take the first element that applies.</item>
/// <item>Restrictions: time of day (whole minutes), weekdays, dates, min/max kWh (as Wh) and min/max duration map to
/// conditions. The bill starts a new period at each of their boundaries, so its evaluation at a period's start is the
/// charger's continuous one.</item>
/// <item>Not expressible, and then the tariff is not sent (the problems say why): a step size above 1 (OCPI rounds the
/// session's total up, a charger cannot), power or current restrictions (the bill uses a period's average, a charger
/// its momentary reading), reservation elements, a FLAT fee under restrictions, different VAT within one dimension, a
/// time of day with seconds, and a min/max price whose amount including VAT the bill would derive from the session's
/// own VAT mix.</item>
/// <item>min_price/max_price → <c>minCost</c>/<c>maxCost</c> with both amounts; VAT → one <c>taxRates</c> entry per
/// dimension.</item>
/// </list>
/// A step size of 1 (1 Wh, 1 s) is sent: it only rounds the session's totals to whole Wh and seconds, which meter
/// readings and timestamps already are.
/// </summary>
public static class ChargerTariffs
{
    /// <summary>OCPP 2.1 TariffType.tariffId is at most 60 characters.</summary>
    public const int MaxTariffId = 60;

    /// <summary>Decimals of a per-minute price (a price per hour divided by 60): below 1e-9 of a currency unit over two days.</summary>
    public const int MinuteDecimals = 12;

    public static ChargerTariffMapping From(ChargingTariff tariff, string siteCurrency)
    {
        var problems = new List<string>();
        var currency = tariff.Currency ?? siteCurrency;
        var energy = new List<(ChargerTariffPrice Price, decimal Vat)>();
        var charging = new List<(ChargerTariffPrice Price, decimal Vat)>();
        var idle = new List<(ChargerTariffPrice Price, decimal Vat)>();
        var fixedFee = new List<(ChargerTariffPrice Price, decimal Vat)>();
        for (var i = 0; i < tariff.Elements.Count; i++)
        {
            var element = tariff.Elements[i];
            var r = element.Restrictions;
            var where = $"element {i + 1}";
            if (r?.Reservation is not null)
            {
                problems.Add($"{where} prices a reservation: OCPP 2.1's reservation prices count differently, so the tariff is not sent");
                continue;
            }

            var conditions = Conditions(r, where, problems);
            foreach (var component in element.PriceComponents.GroupBy(c => c.Type).Select(g => g.First()))
            {
                if (component.StepSize > 1)
                {
                    problems.Add($"{where}: {ChargingBill.Dimension(component.Type)} has step_size {component.StepSize}: the bill rounds the session's total up to whole steps, a charger cannot");
                }

                switch (component.Type)
                {
                    case TariffDimension.Energy:
                        energy.Add((new ChargerTariffPrice(component.Price, conditions), component.Vat));
                        break;
                    case TariffDimension.Time:
                        charging.Add((new ChargerTariffPrice(PerMinute(component.Price), conditions), component.Vat));
                        break;
                    case TariffDimension.ParkingTime:
                        idle.Add((new ChargerTariffPrice(PerMinute(component.Price), conditions), component.Vat));
                        break;
                    default:
                        if (conditions is not null)
                        {
                            problems.Add($"{where}: a FLAT fee under restrictions is charged by the first period they hold in, which a 2.1 fixed fee cannot say");
                        }

                        fixedFee.Add((new ChargerTariffPrice(component.Price, null), component.Vat));
                        break;
                }
            }
        }

        var tariffVat = new[] { energy, charging, idle, fixedFee }.SelectMany(p => p).Select(p => p.Vat).Distinct().ToList();
        var minCost = Limit("min_price", tariff.MinPrice, tariff.MinPriceInclVat, tariff, tariffVat, problems);
        var maxCost = Limit("max_price", tariff.MaxPrice, tariff.MaxPriceInclVat, tariff, tariffVat, problems);
        var result = new ChargerTariff
        {
            TariffId = tariff.Id,
            SourceTariffId = tariff.Id,
            Currency = currency,
            ValidFrom = tariff.ValidFrom,
            Description = [.. tariff.AltText.Take(10)],
            Energy = Part("ENERGY", energy, problems),
            ChargingTime = Part("TIME", charging, problems),
            IdleTime = Part("PARKING_TIME", idle, problems),
            FixedFee = Part("FLAT", fixedFee, problems),
            MinCost = minCost,
            MaxCost = maxCost,
        };
        return problems.Count > 0 ? new ChargerTariffMapping(null, problems) : new ChargerTariffMapping(result with { TariffId = VersionedId(result) }, []);
    }

    /// <summary>The tariff's id with a hash of what the charger receives: the same tariff keeps its id, a changed one gets a new one.</summary>
    public static string VersionedId(ChargerTariff tariff)
    {
        var text = new StringBuilder();
        text.Append(tariff.Currency).Append('|').Append(tariff.ValidFrom?.ToString("O", CultureInfo.InvariantCulture));
        foreach (var (name, part) in new[] { ("E", tariff.Energy), ("C", tariff.ChargingTime), ("I", tariff.IdleTime), ("F", tariff.FixedFee) })
        {
            text.Append('|').Append(name);
            if (part is null)
            {
                continue;
            }

            text.Append(part.VatPercent.ToString(CultureInfo.InvariantCulture));
            foreach (var price in part.Prices)
            {
                text.Append(';').Append(price.Price.ToString(CultureInfo.InvariantCulture)).Append(Describe(price.Conditions));
            }
        }

        foreach (var limit in new[] { tariff.MinCost, tariff.MaxCost })
        {
            text.Append('|').Append(limit?.ExclTax.ToString(CultureInfo.InvariantCulture)).Append('/').Append(limit?.InclTax.ToString(CultureInfo.InvariantCulture));
        }

        foreach (var line in tariff.Description)
        {
            text.Append('|').Append(line.Language).Append(':').Append(line.Text);
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..10];
        var stem = tariff.SourceTariffId.Length > MaxTariffId - 11 ? tariff.SourceTariffId[..(MaxTariffId - 11)] : tariff.SourceTariffId;
        return $"{stem}.{hash}";
    }

    private static string Describe(ChargerTariffConditions? c) => c is null ? "" : string.Join(',',
        c.StartTimeOfDay, c.EndTimeOfDay, string.Join('+', c.DaysOfWeek), c.ValidFromDate, c.ValidToDate, c.MinEnergyWh, c.MaxEnergyWh, c.MinTimeSeconds, c.MaxTimeSeconds);

    private static decimal PerMinute(decimal perHour) => Math.Round(perHour / 60, MinuteDecimals, MidpointRounding.AwayFromZero);

    private static ChargerTariffPart? Part(string name, List<(ChargerTariffPrice Price, decimal Vat)> prices, List<string> problems)
    {
        if (prices.Count == 0)
        {
            return null;
        }

        var vats = prices.Select(p => p.Vat).Distinct().ToList();
        if (vats.Count > 1)
        {
            problems.Add($"{name} prices have different VAT ({string.Join(", ", vats.Select(v => v.ToString(CultureInfo.InvariantCulture)))} %): a 2.1 tariff has one tax rate per dimension");
        }

        // A price after one that always applies is never used: the charger need not hold it.
        var kept = new List<ChargerTariffPrice>();
        foreach (var (price, _) in prices)
        {
            kept.Add(price);
            if (price.Conditions is null)
            {
                break;
            }
        }

        return new ChargerTariffPart(kept, vats[0]);
    }

    private static ChargerTariffConditions? Conditions(TariffRestrictions? r, string where, List<string> problems)
    {
        if (r is null)
        {
            return null;
        }

        if (r.MinPowerKw is not null || r.MaxPowerKw is not null || r.MinCurrent is not null || r.MaxCurrent is not null)
        {
            problems.Add($"{where} is restricted by power or current: the bill takes a period's average, a charger its momentary reading");
        }

        foreach (var time in new[] { r.StartTime, r.EndTime })
        {
            if (time is { } t && (t.Second != 0 || t.Millisecond != 0 || t.Microsecond != 0))
            {
                problems.Add($"{where}: a time of day of {t:HH:mm:ss} has seconds; 2.1 times of day are whole minutes");
            }
        }

        var conditions = new ChargerTariffConditions
        {
            StartTimeOfDay = r.StartTime,
            EndTimeOfDay = r.EndTime,
            DaysOfWeek = r.DaysOfWeek,
            ValidFromDate = r.StartDate,
            ValidToDate = r.EndDate,
            MinEnergyWh = r.MinKwh * 1000,
            MaxEnergyWh = r.MaxKwh * 1000,
            MinTimeSeconds = r.MinDurationSeconds,
            MaxTimeSeconds = r.MaxDurationSeconds,
        };
        var empty = conditions.DaysOfWeek.Count == 0 && conditions == new ChargerTariffConditions { DaysOfWeek = conditions.DaysOfWeek };
        return empty ? null : conditions;
    }

    /// <summary>
    /// A min/max price with both amounts: the including-VAT one as given, else from the tariff's VAT, else (every price
    /// without VAT) equal to the excluding one. Otherwise the bill derives it from the session's own VAT mix: not sent.
    /// </summary>
    private static ChargerTariffLimit? Limit(string name, decimal? excl, decimal? incl, ChargingTariff tariff, List<decimal> vats, List<string> problems)
    {
        if (excl is not { } amount)
        {
            if (incl is not null)
            {
                problems.Add($"{name} gives only an amount including VAT");
            }

            return null;
        }

        if (incl is { } given)
        {
            return new ChargerTariffLimit(amount, given);
        }

        if (tariff.Vat != 0)
        {
            return new ChargerTariffLimit(amount, amount + amount * tariff.Vat / 100);
        }

        if (vats.All(v => v == 0))
        {
            return new ChargerTariffLimit(amount, amount);
        }

        problems.Add($"{name} has no amount including VAT: the bill scales it by the session's own VAT, which a charger cannot");
        return null;
    }
}
