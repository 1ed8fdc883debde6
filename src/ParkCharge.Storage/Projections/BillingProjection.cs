using ParkCharge.Core.Billing;
using ParkCharge.Core.Engine;
using ParkCharge.Core.Sites;
using ParkCharge.Storage.Json;
using ParkCharge.Storage.Queries;

namespace ParkCharge.Storage.Projections;

/// <summary>Settled bills (as they stand after adjustments) and payments.</summary>
internal static class BillingProjection
{
    private const string UpsertBill = """
        INSERT INTO bills (parking_session_id, id, site_id, plate, currency, settled_at, local_day, parking, charging, idle,
            total_excl_vat, total_vat, total, original_total, adjustments, document, updated_seq)
        VALUES (@parking_session_id, @id, @site, @plate, @currency, @settled_at, @local_day, @parking, @charging, @idle,
            @total_excl_vat, @total_vat, @total, @original_total, @adjustments, @json_document, @seq)
        ON CONFLICT (parking_session_id) DO UPDATE SET
            parking = excluded.parking, charging = excluded.charging, idle = excluded.idle, total_excl_vat = excluded.total_excl_vat,
            total_vat = excluded.total_vat, total = excluded.total, adjustments = excluded.adjustments, document = excluded.document,
            updated_seq = excluded.updated_seq
        """;

    private const string InsertPayment = """
        INSERT INTO payments (id, site_id, parking_session_id, amount, currency, method, reference, at, recorded_by, seq)
        VALUES (@id, @site, @parking_session_id, @amount, @currency, @method, @reference, @at, @recorded_by, @seq)
        """;

    public static async Task WriteAsync(RowRecorder sql, SiteId site, IEnumerable<(long Seq, SiteChanges Changes)> changes, CancellationToken ct)
    {
        var db = sql.Database;
        var bills = new Dictionary<string, (SettledBill, long)>(StringComparer.Ordinal);
        foreach (var (seq, c) in changes)
        {
            c.Bills.ToList().ForEach(b => bills[b.Bill.ParkingSessionId] = (b, seq));
            foreach (var p in c.Payments)
            {
                await sql[InsertPayment].Set("id", p.Id).Set("site", site.Value).Set("parking_session_id", p.ParkingSessionId)
                    .Set("amount", db.Number(p.Amount)).Set("currency", p.Currency).Set("method", p.Method).Set("reference", p.Reference)
                    .Set("at", db.Instant(p.At)).Set("recorded_by", p.RecordedBy).Set("seq", seq).RunAsync(ct);
            }
        }

        foreach (var (b, seq) in bills.Values)
        {
            var current = b.Current;
            var split = Revenue.Split(current);
            await sql[UpsertBill].Set("parking_session_id", current.ParkingSessionId).Set("id", b.Id).Set("site", site.Value)
                .Set("plate", b.Plate).Set("currency", current.Currency).Set("settled_at", db.Instant(b.SettledAt))
                .Set("local_day", b.LocalDay.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture))
                .Set("parking", db.Number(split.Parking)).Set("charging", db.Number(split.Charging)).Set("idle", db.Number(split.Idle))
                .Set("total_excl_vat", db.Number(current.TotalExclVat)).Set("total_vat", db.Number(current.TotalVat)).Set("total", db.Number(current.Total))
                .Set("original_total", db.Number(b.Bill.Total)).Set("adjustments", b.Adjustments.Length)
                .Set("json_document", LogJson.Serialize(StoredBill.From(b))).Set("seq", seq).RunAsync(ct);
        }
    }
}
