using System.Collections.Immutable;

namespace ParkCharge.Core.Billing;

/// <summary>
/// A correction to a settled bill (DESIGN.md §2: after settlement, an adjustment, never a silent
/// rewrite): the lines of the previous version that no longer hold, credited (negated), and the
/// lines of the recomputed bill that are new, debited. Lines that did not change cancel out and are
/// left off. <see cref="Total"/> is what the driver owes more (positive, a debit note) or gets back
/// (negative, a credit note).
/// </summary>
public sealed record BillAdjustment
{
    public required string Id { get; init; }

    public required string BillId { get; init; }

    public required DateTimeOffset At { get; init; }

    public required string Reason { get; init; }

    public IReadOnlyList<BillLine> Lines { get; init; } = [];

    public decimal TotalExclVat => Lines.Sum(l => l.AmountExclVat);

    public decimal Total => Lines.Sum(l => l.AmountInclVat);

    /// <summary>The bill as it stands after this adjustment.</summary>
    public required Bill Recomputed { get; init; }
}

/// <summary>A payment for a stay, recorded through the API (a pay station, an app, a card terminal at the exit).</summary>
public sealed record Payment
{
    public required string Id { get; init; }

    public required string ParkingSessionId { get; init; }

    public required decimal Amount { get; init; }

    public required string Currency { get; init; }

    public required string Method { get; init; }

    public string? Reference { get; init; }

    public required DateTimeOffset At { get; init; }

    public required string RecordedBy { get; init; }
}

/// <summary>The final bill of a stay, with the tariffs it was computed with, its adjustments and payments.</summary>
public sealed record SettledBill
{
    public required string Id { get; init; }

    public required Bill Bill { get; init; }

    public required string Plate { get; init; }

    public required DateTimeOffset SettledAt { get; init; }

    /// <summary>The site's local date of settlement: the day the revenue belongs to in reports.</summary>
    public required DateOnly LocalDay { get; init; }

    /// <summary>The tariffs in force at settlement: a later tariff edit never changes a settled bill.</summary>
    public required SiteTariffs Tariffs { get; init; }

    public ImmutableArray<BillAdjustment> Adjustments { get; init; } = [];

    /// <summary>The bill as it stands now: the last adjustment's recomputation, or the original.</summary>
    public Bill Current => Adjustments.IsEmpty ? Bill : Adjustments[^1].Recomputed;

    public decimal Total => Current.Total;
}

/// <summary>Settled bills and payments of a site.</summary>
public sealed class BillingState
{
    private readonly Dictionary<string, SettledBill> _bills = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Payment>> _payments = new(StringComparer.Ordinal);

    public IEnumerable<SettledBill> Bills => _bills.Values;

    public SettledBill? Find(string parkingSessionId) => _bills.GetValueOrDefault(parkingSessionId);

    public IReadOnlyList<Payment> PaymentsOf(string parkingSessionId) => _payments.TryGetValue(parkingSessionId, out var list) ? list : [];

    internal void Take(Engine.SiteChanges changes)
    {
        foreach (var bill in changes.Bills)
        {
            _bills[bill.Bill.ParkingSessionId] = bill;
        }

        foreach (var payment in changes.Payments)
        {
            if (!_payments.TryGetValue(payment.ParkingSessionId, out var list))
            {
                _payments[payment.ParkingSessionId] = list = [];
            }

            list.Add(payment);
        }
    }

    internal void Forget(string parkingSessionId)
    {
        _bills.Remove(parkingSessionId);
        _payments.Remove(parkingSessionId);
    }
}
