namespace ParkCharge.Core.Billing;

/// <summary>
/// Energy delivered since the start of a charging session as a function of time: linear between
/// meter values, flat after the last one, never decreasing (a meter that goes backwards is an
/// anomaly the reconciliation reports; it does not give money back).
/// </summary>
internal sealed class EnergyCurve
{
    private readonly List<EnergyPoint> _points = [];

    public EnergyCurve(DateTimeOffset start, IEnumerable<EnergyPoint> points, DateTimeOffset until)
    {
        _points.Add(new EnergyPoint(start, 0));
        var highest = 0m;
        foreach (var point in points.OrderBy(p => p.At))
        {
            if (point.At <= start || point.At > until)
            {
                continue;
            }

            highest = Math.Max(highest, point.Wh);
            _points.Add(new EnergyPoint(point.At, highest));
        }
    }

    public decimal At(DateTimeOffset at)
    {
        if (at <= _points[0].At)
        {
            return 0;
        }

        for (var i = 1; i < _points.Count; i++)
        {
            var (a, b) = (_points[i - 1], _points[i]);
            if (at <= b.At)
            {
                var span = (decimal)(b.At - a.At).Ticks;
                return span == 0 ? b.Wh : a.Wh + (b.Wh - a.Wh) * ((at - a.At).Ticks / span);
            }
        }

        return _points[^1].Wh;
    }

    /// <summary>
    /// The first moment (to the tick) the energy reaches <paramref name="wh"/>, if it does: rounded up, so that a period
    /// starting there has delivered <paramref name="wh"/> before it (an OCPI min_kwh holds, a max_kwh no longer does).
    /// </summary>
    public DateTimeOffset? When(decimal wh)
    {
        if (wh <= 0)
        {
            return null;
        }

        for (var i = 1; i < _points.Count; i++)
        {
            var (a, b) = (_points[i - 1], _points[i]);
            if (b.Wh >= wh && b.Wh > a.Wh)
            {
                var fraction = (wh - a.Wh) / (b.Wh - a.Wh);
                return a.At + TimeSpan.FromTicks((long)Math.Ceiling(fraction * (b.At - a.At).Ticks));
            }
        }

        return null;
    }
}
