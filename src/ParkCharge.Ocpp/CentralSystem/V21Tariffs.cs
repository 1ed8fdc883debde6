using System.Globalization;

using ParkCharge.Core.Billing;
using ParkCharge.Ocpp.V21;

using TariffType = ParkCharge.Ocpp.V21.TariffType;

namespace ParkCharge.Ocpp.CentralSystem;

/// <summary>
/// The charger's tariff (<see cref="ChargerTariff"/>, made from the site's by <see cref="ChargerTariffs.From"/>) as
/// OCPP 2.1's TariffType: times of day as HH:mm, dates as yyyy-MM-dd, energy limits in Wh, VAT as one tax rate per
/// dimension (type "VAT"), descriptions as UTF-8 message content.
/// </summary>
public static class V21Tariffs
{
    public static TariffType Wire(ChargerTariff tariff) => new()
    {
        TariffId = tariff.TariffId,
        Currency = tariff.Currency,
        ValidFrom = tariff.ValidFrom,
        Description = tariff.Description.Count == 0 ? null : [.. tariff.Description.Select(d => new MessageContentType
        {
            Format = MessageFormatEnumType.UTF8,
            Language = d.Language.Length <= 8 ? d.Language : null,
            Content = d.Text.Length <= 1024 ? d.Text : d.Text[..1024],
        })],
        Energy = tariff.Energy is { } energy
            ? new TariffEnergyType { Prices = [.. energy.Prices.Select(p => new TariffEnergyPriceType { PriceKwh = p.Price, Conditions = Conditions(p.Conditions) })], TaxRates = Tax(energy) }
            : null,
        ChargingTime = Time(tariff.ChargingTime),
        IdleTime = Time(tariff.IdleTime),
        FixedFee = tariff.FixedFee is { } fixedFee
            ? new TariffFixedType { Prices = [.. fixedFee.Prices.Select(p => new TariffFixedPriceType { PriceFixed = p.Price })], TaxRates = Tax(fixedFee) }
            : null,
        MinCost = Limit(tariff.MinCost),
        MaxCost = Limit(tariff.MaxCost),
    };

    private static TariffTimeType? Time(ChargerTariffPart? part) => part is null
        ? null
        : new TariffTimeType { Prices = [.. part.Prices.Select(p => new TariffTimePriceType { PriceMinute = p.Price, Conditions = Conditions(p.Conditions) })], TaxRates = Tax(part) };

    private static IReadOnlyList<TaxRateType>? Tax(ChargerTariffPart part) =>
        part.VatPercent == 0 ? null : [new TaxRateType { Type = "VAT", Tax = part.VatPercent }];

    private static PriceType? Limit(ChargerTariffLimit? limit) => limit is null ? null : new PriceType { ExclTax = limit.ExclTax, InclTax = limit.InclTax };

    private static TariffConditionsType? Conditions(ChargerTariffConditions? c) => c is null
        ? null
        : new TariffConditionsType
        {
            StartTimeOfDay = c.StartTimeOfDay?.ToString("HH:mm", CultureInfo.InvariantCulture),
            EndTimeOfDay = c.EndTimeOfDay?.ToString("HH:mm", CultureInfo.InvariantCulture),
            DayOfWeek = c.DaysOfWeek.Count == 0 ? null : [.. c.DaysOfWeek.Distinct().Order().Select(Day)],
            ValidFromDate = c.ValidFromDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ValidToDate = c.ValidToDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            MinEnergy = c.MinEnergyWh,
            MaxEnergy = c.MaxEnergyWh,
            MinTime = c.MinTimeSeconds,
            MaxTime = c.MaxTimeSeconds,
        };

    private static DayOfWeekEnumType Day(DayOfWeek day) => day switch
    {
        DayOfWeek.Monday => DayOfWeekEnumType.Monday,
        DayOfWeek.Tuesday => DayOfWeekEnumType.Tuesday,
        DayOfWeek.Wednesday => DayOfWeekEnumType.Wednesday,
        DayOfWeek.Thursday => DayOfWeekEnumType.Thursday,
        DayOfWeek.Friday => DayOfWeekEnumType.Friday,
        DayOfWeek.Saturday => DayOfWeekEnumType.Saturday,
        _ => DayOfWeekEnumType.Sunday,
    };
}
