namespace ParkCharge.Core.Billing;

/// <summary>What a bill line charges for.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<BillLineKind>))]
public enum BillLineKind
{
    Parking,

    /// <summary>Parking time while charging, waived (fully: zero amount, shown for the record) or partly.</summary>
    ParkingWhileCharging,

    /// <summary>A daily or per-stay cap (a negative amount).</summary>
    ParkingCap,

    /// <summary>The whole stay was within the entry grace.</summary>
    EntryGrace,

    /// <summary>The entry was never read: the lost-ticket charge instead of parking time.</summary>
    UnknownEntry,

    Charging,

    /// <summary>A charging tariff's minimum or maximum price.</summary>
    ChargingAdjustment,

    Idle,

    IdleCap,

    /// <summary>Parking and idle time covered by a permit (a negative amount).</summary>
    Permit,
}

/// <summary>
/// One line of a bill, explainable to a driver: what it is for, the period, the quantity and unit,
/// the unit price, the amounts without and with VAT, and the rule that produced it.
/// </summary>
public sealed record BillLine
{
    public required BillLineKind Kind { get; init; }

    public required string Description { get; init; }

    public DateTimeOffset? From { get; init; }

    public DateTimeOffset? To { get; init; }

    public required decimal Quantity { get; init; }

    /// <summary>kWh, h, min, session, or a unit of time like "15 min".</summary>
    public required string Unit { get; init; }

    public required decimal UnitPrice { get; init; }

    /// <summary>Rounded to the currency's minor unit (half away from zero).</summary>
    public required decimal AmountExclVat { get; init; }

    public required decimal VatPercent { get; init; }

    /// <summary>VAT of this line, rounded to the minor unit.</summary>
    public required decimal Vat { get; init; }

    public decimal AmountInclVat => AmountExclVat + Vat;

    /// <summary>The tariff rule, e.g. "parking tariff 'standard', band 'day' 08:00–20:00, started 15-min units".</summary>
    public required string Rule { get; init; }

    public string? ChargingSessionId { get; init; }
}

[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<BillStatus>))]
public enum BillStatus
{
    /// <summary>The stay goes on: the bill so far.</summary>
    Estimate,

    /// <summary>Settled at the exit: it never changes; later corrections are adjustments.</summary>
    Final,
}

/// <summary>A stay's bill: its lines and totals, in the site's currency.</summary>
public sealed record Bill
{
    public required string ParkingSessionId { get; init; }

    public required string Currency { get; init; }

    public required BillStatus Status { get; init; }

    /// <summary>The moment the bill was computed up to (the exit, or now for an estimate).</summary>
    public required DateTimeOffset Until { get; init; }

    public IReadOnlyList<BillLine> Lines { get; init; } = [];

    public decimal TotalExclVat => Lines.Sum(l => l.AmountExclVat);

    public decimal TotalVat => Lines.Sum(l => l.Vat);

    public decimal Total => TotalExclVat + TotalVat;
}

/// <summary>What a bill earns, excluding VAT, split the way a car park reports revenue.</summary>
public readonly record struct RevenueSplit(decimal Parking, decimal Charging, decimal Idle);

public static class Revenue
{
    public static RevenueSplit Split(Bill bill) => Split(bill.Lines);

    public static RevenueSplit Split(IEnumerable<BillLine> lines)
    {
        decimal parking = 0, charging = 0, idle = 0;
        foreach (var line in lines)
        {
            switch (line.Kind)
            {
                case BillLineKind.Charging or BillLineKind.ChargingAdjustment:
                    charging += line.AmountExclVat;
                    break;
                case BillLineKind.Idle or BillLineKind.IdleCap:
                    idle += line.AmountExclVat;
                    break;
                default:
                    parking += line.AmountExclVat;
                    break;
            }
        }

        return new RevenueSplit(parking, charging, idle);
    }
}
