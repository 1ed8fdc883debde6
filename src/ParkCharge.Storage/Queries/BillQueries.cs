using System.Globalization;

using ParkCharge.Core.Billing;
using ParkCharge.Storage.Json;

namespace ParkCharge.Storage.Queries;

/// <summary>A settled bill as stored: the original, every adjustment (each with the bill as it stood after it).</summary>
public sealed record StoredBill(string Id, string ParkingSessionId, string Plate, DateTimeOffset SettledAt, DateOnly LocalDay, Bill Bill, IReadOnlyList<BillAdjustment> Adjustments)
{
    public Bill Current => Adjustments.Count == 0 ? Bill : Adjustments[^1].Recomputed;

    public static StoredBill From(SettledBill b) => new(b.Id, b.Bill.ParkingSessionId, b.Plate, b.SettledAt, b.LocalDay, b.Bill, b.Adjustments);
}

public sealed record PaymentRecord(string Id, string ParkingSessionId, decimal Amount, string Currency, string Method, string? Reference, DateTimeOffset At, string RecordedBy);

/// <summary>A settlement a charger's payment terminal reported (NotifySettlement), as kept; <c>Id</c> is its event's id.</summary>
public sealed record SettlementRecord(
    string Id, string ChargerId, string? TransactionId, string PspReference, string Status, decimal Amount, string Currency, DateTimeOffset SettledAt,
    string Outcome, string? Reason, DateTimeOffset ReceivedAt);

/// <summary>One settled bill's row in a day's report.</summary>
public sealed record BillSummaryRow(
    string BillId, string ParkingSessionId, string Plate, DateTimeOffset SettledAt, string Currency,
    decimal Parking, decimal Charging, decimal Idle, decimal TotalExclVat, decimal TotalVat, decimal Total, decimal OriginalTotal, int Adjustments, decimal BilledEnergyKwh);

/// <summary>Reads of settled bills and payments.</summary>
public sealed class BillQueries(Database database)
{
    public async Task<StoredBill?> GetAsync(string parkingSessionId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command("SELECT document FROM bills WHERE parking_session_id = @id").With("id", parkingSessionId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? LogJson.DeserializeBill(reader.GetString(0)) : null;
    }

    /// <summary>Every stored bill, in settlement order (for replay checks).</summary>
    public async Task<IReadOnlyList<StoredBill>> AllAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command("SELECT document FROM bills ORDER BY site_id, settled_at, id");
        await using var reader = await command.ExecuteReaderAsync(ct);
        var bills = new List<StoredBill>();
        while (await reader.ReadAsync(ct))
        {
            bills.Add(LogJson.DeserializeBill(reader.GetString(0)));
        }

        return bills;
    }

    public async Task<IReadOnlyList<PaymentRecord>> PaymentsAsync(string parkingSessionId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command($"SELECT {PaymentColumns} FROM payments WHERE parking_session_id = @id ORDER BY seq").With("id", parkingSessionId);
        return await ReadPaymentsAsync(command, ct);
    }

    /// <summary>Payments recorded at the site in [from, to).</summary>
    public async Task<IReadOnlyList<PaymentRecord>> PaymentsAsync(string siteId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command($"SELECT {PaymentColumns} FROM payments WHERE site_id = @site AND at >= @from AND at < @to ORDER BY at, seq")
            .With("site", siteId).With("from", database.Instant(from)).With("to", database.Instant(to));
        return await ReadPaymentsAsync(command, ct);
    }

    /// <summary>Settlements chargers reported that went on no stay's bill (outcome unmatched), received in [from, to), oldest first.</summary>
    public async Task<IReadOnlyList<SettlementRecord>> UnmatchedSettlementsAsync(string siteId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command(
            "SELECT id, charger_id, transaction_id, psp_reference, status, amount, currency, settled_at, outcome, reason, received_at FROM charger_settlements " +
            "WHERE site_id = @site AND outcome = 'unmatched' AND received_at >= @from AND received_at < @to ORDER BY received_at, seq")
            .With("site", siteId).With("from", database.Instant(from)).With("to", database.Instant(to));
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<SettlementRecord>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new SettlementRecord(
                reader.GetString(0), reader.GetString(1), reader.StringOrNull(2), reader.GetString(3), reader.GetString(4), database.ReadNumber(reader, 5),
                reader.GetString(6), database.ReadInstant(reader, 7), reader.GetString(8), reader.StringOrNull(9), database.ReadInstant(reader, 10)));
        }

        return rows;
    }

    /// <summary>The bills settled on a local day at a site, as they stand now.</summary>
    public async Task<IReadOnlyList<BillSummaryRow>> SettledOnAsync(string siteId, DateOnly day, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command("SELECT document FROM bills WHERE site_id = @site AND local_day = @day ORDER BY settled_at, id")
            .With("site", siteId).With("day", day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<BillSummaryRow>();
        while (await reader.ReadAsync(ct))
        {
            var stored = LogJson.DeserializeBill(reader.GetString(0));
            var bill = stored.Current;
            var split = Revenue.Split(bill);
            var energy = bill.Lines.Where(l => l is { Kind: BillLineKind.Charging, Unit: "kWh" }).Sum(l => l.Quantity);
            rows.Add(new BillSummaryRow(
                stored.Id, stored.ParkingSessionId, stored.Plate, stored.SettledAt, bill.Currency, split.Parking, split.Charging, split.Idle,
                bill.TotalExclVat, bill.TotalVat, bill.Total, stored.Bill.Total, stored.Adjustments.Count, energy));
        }

        return rows;
    }

    private const string PaymentColumns = "id, parking_session_id, amount, currency, method, reference, at, recorded_by";

    private async Task<IReadOnlyList<PaymentRecord>> ReadPaymentsAsync(System.Data.Common.DbCommand command, CancellationToken ct)
    {
        await using var reader = await command.ExecuteReaderAsync(ct);
        var payments = new List<PaymentRecord>();
        while (await reader.ReadAsync(ct))
        {
            payments.Add(new PaymentRecord(
                reader.GetString(0), reader.GetString(1), database.ReadNumber(reader, 2), reader.GetString(3), reader.GetString(4),
                reader.StringOrNull(5), database.ReadInstant(reader, 6), reader.GetString(7)));
        }

        return payments;
    }
}
