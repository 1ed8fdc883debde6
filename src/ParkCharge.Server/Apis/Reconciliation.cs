using System.Globalization;
using System.Text;

using ParkCharge.Core.Billing;
using ParkCharge.Storage;
using ParkCharge.Storage.Queries;

namespace ParkCharge.Server.Apis;

public sealed record RevenueFigures(decimal Parking, decimal Charging, decimal Idle, decimal TotalExclVat, decimal TotalVat, decimal Total, decimal Adjustments, decimal Payments);

public sealed record EnergyFigures(int ChargingSessions, decimal ChargerReportedKwh, decimal BilledKwh, decimal DifferenceKwh);

public sealed record MeterAnomaly(string ChargingSessionId, string ChargerId, string TransactionId, string Problem, decimal? EnergyKwh);

public sealed record UnboundTransaction(string ChargingSessionId, string ChargerId, string TransactionId, DateTimeOffset? StartedAt, string Status, decimal? EnergyKwh);

public sealed record StayWithoutExit(string ParkingSessionId, string Plate, DateTimeOffset? EnteredAt, string Status, string Anomalies);

public sealed record EnergyMismatch(string ChargingSessionId, string? ParkingSessionId, decimal ChargerReportedKwh, decimal BilledKwh);

/// <summary>
/// One hour of the day (UTC start; a local day has 23, 24 or 25): vehicles inside at some time in the hour,
/// and the energy charged in it, each session's energy spread evenly over its start to stop (or now).
/// </summary>
public sealed record HourFigures(DateTimeOffset From, int VehiclesInside, decimal EnergyKwh);

/// <summary>A site's day: what happened, what was earned, and what needs a look.</summary>
public sealed record DailyReport(
    string SiteId,
    DateOnly Date,
    string TimeZone,
    string Currency,
    DateTimeOffset From,
    DateTimeOffset To,
    int Entries,
    int Exits,
    int BillsSettled,
    RevenueFigures Revenue,
    EnergyFigures Energy,
    IReadOnlyList<UnboundTransaction> UnboundTransactions,
    IReadOnlyList<StayWithoutExit> StaysWithoutExit,
    IReadOnlyList<MeterAnomaly> MeterAnomalies,
    IReadOnlyList<EnergyMismatch> EnergyMismatches,
    IReadOnlyList<BillSummaryRow> Bills,
    IReadOnlyList<HourFigures> Hours,
    IReadOnlyList<SettlementRecord> UnmatchedSettlements);

/// <summary>The per-day reconciliation (issue 5 §4), from the projections.</summary>
internal static class Reconciliation
{
    /// <summary>More than this average power over a session is not a car charging: a meter fault or reset.</summary>
    private const decimal ImplausibleKw = 400;

    public static async Task<DailyReport> BuildAsync(Store store, string siteId, string currency, TimeZoneInfo zone, DateOnly day, DateTimeOffset now, CancellationToken ct)
    {
        var from = Instant(day, zone);
        var to = Instant(day.AddDays(1), zone);
        var bills = await store.Bills.SettledOnAsync(siteId, day, ct);
        var payments = await store.Bills.PaymentsAsync(siteId, from, to, ct);
        // A terminal's retry of a settlement that matched nothing is the same money: listed once.
        var unmatched = (await store.Bills.UnmatchedSettlementsAsync(siteId, from, to, ct)).DistinctBy(u => (u.ChargerId, u.PspReference)).ToList();
        var charging = await store.Reconciliation.ChargingStartedAsync(siteId, from, to, ct);
        var parking = await store.Reconciliation.ParkingAsync(siteId, from, to, ct);

        var revenue = new RevenueFigures(
            bills.Sum(b => b.Parking), bills.Sum(b => b.Charging), bills.Sum(b => b.Idle), bills.Sum(b => b.TotalExclVat), bills.Sum(b => b.TotalVat),
            bills.Sum(b => b.Total), bills.Sum(b => b.Total - b.OriginalTotal), payments.Sum(p => p.Amount));

        var anomalies = new List<MeterAnomaly>();
        var mismatches = new List<EnergyMismatch>();
        var billed = 0m;
        var billsBySession = new Dictionary<string, StoredBill?>(StringComparer.Ordinal);
        foreach (var c in charging)
        {
            var kwh = c.EnergyWh / 1000;
            if (c.Anomalies.Contains("NegativeEnergy", StringComparison.Ordinal))
            {
                anomalies.Add(new MeterAnomaly(c.Id, c.ChargerId, c.TransactionId, "negative energy (stop register below start)", kwh));
            }

            if (c.Anomalies.Contains("MeterDecreased", StringComparison.Ordinal))
            {
                anomalies.Add(new MeterAnomaly(c.Id, c.ChargerId, c.TransactionId, "meter register went backwards (meter reset?)", kwh));
            }

            if (c is { StartedAt: { } s, StoppedAt: { } e } && kwh is { } k && e > s && k / (decimal)(e - s).TotalHours > ImplausibleKw)
            {
                anomalies.Add(new MeterAnomaly(c.Id, c.ChargerId, c.TransactionId, $"implausible energy: more than {ImplausibleKw} kW on average", kwh));
            }

            if (c.ParkingSessionId is { } parkingId && c.BindingStatus is "Bound" or "Provisional")
            {
                if (!billsBySession.TryGetValue(parkingId, out var bill))
                {
                    billsBySession[parkingId] = bill = await store.Bills.GetAsync(parkingId, ct);
                }

                if (bill is not null)
                {
                    var billedKwh = bill.Current.Lines.Where(l => l is { Kind: BillLineKind.Charging, Unit: "kWh" } && l.ChargingSessionId == c.Id).Sum(l => l.Quantity);
                    billed += billedKwh;
                    if (kwh is { } reported && Math.Abs(reported - billedKwh) > 0.001m * Math.Max(1, reported))
                    {
                        mismatches.Add(new EnergyMismatch(c.Id, parkingId, reported, billedKwh));
                    }
                }
            }
        }

        var reportedKwh = charging.Sum(c => c.EnergyWh ?? 0) / 1000;
        return new DailyReport(
            siteId, day, zone.Id, currency, from, to,
            parking.Count(p => p.EnteredAt >= from && p.EnteredAt < to),
            parking.Count(p => p.ExitedAt >= from && p.ExitedAt < to && !p.Anomalies.Contains("ExitNotRead", StringComparison.Ordinal)),
            bills.Count,
            revenue,
            new EnergyFigures(charging.Count, reportedKwh, billed, reportedKwh - billed),
            charging.Where(c => c.BindingStatus is not ("Bound" or "Provisional"))
                .Select(c => new UnboundTransaction(c.Id, c.ChargerId, c.TransactionId, c.StartedAt, c.BindingStatus ?? "none", c.EnergyWh / 1000)).ToList(),
            parking.Where(p => p.Status == "Open" || p.Anomalies.Contains("ExitNotRead", StringComparison.Ordinal))
                .Select(p => new StayWithoutExit(p.Id, p.Plate, p.EnteredAt, p.Status, p.Anomalies)).ToList(),
            anomalies,
            mismatches,
            bills,
            Hours(from, to, now, parking, charging),
            unmatched);
    }

    /// <summary>The day hour by hour, for the dashboard's charts.</summary>
    internal static List<HourFigures> Hours(DateTimeOffset from, DateTimeOffset to, DateTimeOffset now, IReadOnlyList<ParkingDayRow> parking, IReadOnlyList<ChargingDayRow> charging)
    {
        var hours = new List<HourFigures>();
        for (var start = from; start < to; start = start.AddHours(1))
        {
            var end = start.AddHours(1);
            var inside = parking.Count(p => p.EnteredAt is { } entered && entered < end && (p.ExitedAt is { } exited ? exited > start : p.Status == "Open"));
            var kwh = 0m;
            foreach (var c in charging)
            {
                if (c is not { StartedAt: { } s, EnergyWh: { } wh } || wh <= 0)
                {
                    continue;
                }

                var e = c.StoppedAt ?? (now > s ? now : s);
                if (e <= s)
                {
                    kwh += s >= start && s < end ? wh / 1000 : 0;
                    continue;
                }

                var overlap = (Min(e, end) - Max(s, start)).Ticks;
                if (overlap > 0)
                {
                    kwh += wh / 1000 * overlap / (e - s).Ticks;
                }
            }

            hours.Add(new HourFigures(start, inside, Math.Round(kwh, 3)));
        }

        return hours;

        static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
        static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
    }

    /// <summary>One row per settled bill, then a totals row: what accounting tools import.</summary>
    public static string Csv(DailyReport report)
    {
        var csv = new StringBuilder();
        csv.AppendLine("date,site,bill_id,parking_session_id,plate,settled_at,currency,parking,charging,idle,total_excl_vat,total_vat,total,adjustments,billed_kwh");
        foreach (var b in report.Bills)
        {
            csv.AppendLine(Row(report.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), report.SiteId, b.BillId, b.ParkingSessionId, b.Plate,
                b.SettledAt.ToString("O", CultureInfo.InvariantCulture), b.Currency, N(b.Parking), N(b.Charging), N(b.Idle), N(b.TotalExclVat), N(b.TotalVat),
                N(b.Total), b.Adjustments.ToString(CultureInfo.InvariantCulture), N(b.BilledEnergyKwh)));
        }

        var r = report.Revenue;
        csv.AppendLine(Row(report.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), report.SiteId, "TOTAL", "", "", "", report.Currency,
            N(r.Parking), N(r.Charging), N(r.Idle), N(r.TotalExclVat), N(r.TotalVat), N(r.Total), "", N(report.Energy.BilledKwh)));
        return csv.ToString();

        static string N(decimal value) => value.ToString(CultureInfo.InvariantCulture);
    }

    private static string Row(params string[] fields) =>
        string.Join(',', fields.Select(f => f.IndexOfAny([',', '"', '\n']) >= 0 ? $"\"{f.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : f));

    private static DateTimeOffset Instant(DateOnly day, TimeZoneInfo zone) => LocalTime.ToInstant(day.ToDateTime(TimeOnly.MinValue), zone).ToUniversalTime();
}
