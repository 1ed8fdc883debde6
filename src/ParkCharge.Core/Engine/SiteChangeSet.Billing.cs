using ParkCharge.Core.Billing;

namespace ParkCharge.Core.Engine;

/// <summary>The billing facet of a decision's working view: the bills settled or adjusted and the payments recorded by a decision, and the stays it touched.</summary>
internal sealed partial class SiteChangeSet
{
    private readonly Dictionary<string, SettledBill> _bills = new(StringComparer.Ordinal);
    private readonly List<Payment> _payments = [];

    public SettledBill? SettledBill(string parkingSessionId) =>
        _bills.TryGetValue(parkingSessionId, out var changed) ? changed : State.Billing.Find(parkingSessionId);

    public void Put(SettledBill bill) => _bills[bill.Bill.ParkingSessionId] = bill;

    public IEnumerable<Payment> PaymentsOf(string parkingSessionId) =>
        State.Billing.PaymentsOf(parkingSessionId).Concat(_payments.Where(p => p.ParkingSessionId == parkingSessionId));

    public void Add(Payment payment) => _payments.Add(payment);

    /// <summary>The parking sessions this decision touched, directly or through a bay visit, a binding or a charging session.</summary>
    public IEnumerable<string> TouchedParkingSessions()
    {
        var ids = new HashSet<string>(_parkingSessions.Keys, StringComparer.Ordinal);
        ids.UnionWith(_visits.Values.Select(v => v.ParkingSessionId).OfType<string>());
        foreach (var binding in _bindings.Values)
        {
            ids.UnionWith(new[] { binding.ParkingSessionId, State.Binding.Find(binding.ChargingSessionId)?.ParkingSessionId }.OfType<string>());
        }

        foreach (var session in _sessions.Keys)
        {
            if (Binding(session)?.ParkingSessionId is { } id)
            {
                ids.Add(id);
            }
        }

        return ids.Order(StringComparer.Ordinal);
    }
}
