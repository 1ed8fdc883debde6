using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text;

using Microsoft.AspNetCore.Http.HttpResults;

using ParkCharge.Core.Billing;
using ParkCharge.Core.Engine;
using ParkCharge.Core.Parking;
using ParkCharge.Core.Plates;
using ParkCharge.Core.Sites;
using ParkCharge.Server.Auth;
using ParkCharge.Server.Sites;
using ParkCharge.Storage;

namespace ParkCharge.Server.Apis;

/// <summary>A payment for a stay. The amount is in the site's currency, with at most its minor units.</summary>
public sealed record PaymentRequest(decimal Amount, [property: MaxLength(3)] string Currency, [property: MaxLength(50)] string Method, [property: MaxLength(200)] string? Reference);

/// <summary>A stay's bill: an estimate while the vehicle is inside, final after the exit (with its adjustments).</summary>
public sealed record BillResponse(
    string ParkingSessionId,
    string Plate,
    string Status,
    string? BillId,
    Bill Bill,
    Bill? Original,
    IReadOnlyList<BillAdjustment> Adjustments,
    IReadOnlyList<Payment> Payments,
    decimal Paid,
    decimal BalanceDue);

/// <summary>What the exit gate should do for a plate: open, or ask for payment first.</summary>
public sealed record ExitDecisionResponse(string Decision, string Reason, string? ParkingSessionId, string? Plate, decimal AmountDue, string Currency, BillResponse? Bill);

public sealed record PaymentResponse(string PaymentId, decimal BalanceDue);

/// <summary>/api/v1: bills, payments, the exit decision and the daily reconciliation report.</summary>
internal static class BillingEndpoints
{
    public static RouteGroupBuilder MapBillingEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/parking-sessions/{id}/bill", BillAsync).WithTags("Billing")
            .WithSummary("The stay's bill: a running estimate while inside, the final bill with its adjustments after the exit").RequireRead();
        api.MapPost("/parking-sessions/{id}/payments", PayAsync).WithTags("Billing")
            .WithSummary("Record a payment for the stay (send an Idempotency-Key: a repeat records nothing new)").RequireIntegration();
        api.MapGet("/sites/{siteId}/exit-decision", ExitDecisionAsync).WithTags("Billing")
            .WithSummary("For the exit gate: open the barrier, or pay first (by plate, OCR-aware, or by parking session)").RequireRead();
        api.MapGet("/sites/{siteId}/reports/daily", DailyReportAsync).WithTags("Billing")
            .WithSummary("Reconciliation for a local day: sessions, energy, revenue split, unbound transactions, sessions without exit, meter anomalies (JSON or CSV)").RequireRead();
        return api;
    }

    private static async Task<Results<Ok<BillResponse>, ProblemHttpResult>> BillAsync(string id, Store store, SiteEngines engines, TimeProvider time, CancellationToken ct)
    {
        if (await store.Parking.GetSessionAsync(id, ct) is not { } session)
        {
            return NotFound(id);
        }

        var now = time.GetUtcNow();
        var bill = await engines.ReadAsync(new SiteId(session.SiteId), state => Current(state, id, now));
        if (bill is null && await store.Bills.GetAsync(id, ct) is { } stored)
        {
            // Older than the engine keeps in memory: the stored bill is final.
            var payments = (await store.Bills.PaymentsAsync(id, ct))
                .Select(p => new Payment { Id = p.Id, ParkingSessionId = id, Amount = p.Amount, Currency = p.Currency, Method = p.Method, Reference = p.Reference, At = p.At, RecordedBy = p.RecordedBy })
                .ToList();
            bill = Response(stored.ParkingSessionId, stored.Plate, stored.Id, stored.Bill, stored.Adjustments, payments);
        }

        return bill is null
            ? TypedResults.Problem(title: "No bill", detail: $"The site has no tariffs for parking session '{id}', or it is no longer kept.", statusCode: StatusCodes.Status404NotFound)
            : TypedResults.Ok(bill);
    }

    private static async Task<Results<Ok<PaymentResponse>, ValidationProblem, ProblemHttpResult>> PayAsync(
        string id, PaymentRequest request, HttpContext http, Store store, SiteEngines engines, TimeProvider time, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var currency = request.Currency?.Trim().ToUpperInvariant();
        if (!Currencies.IsCode(currency))
        {
            errors["currency"] = ["The currency is required: an ISO 4217 code such as EUR."];
        }

        // Bounded here, with the currency's minor units, so that no amount can overflow the engine's sums.
        if (Currencies.ProblemWithPayment(request.Amount, Currencies.IsCode(currency) ? currency! : "EUR") is { } amountProblem)
        {
            errors["amount"] = [amountProblem];
        }

        if (string.IsNullOrWhiteSpace(request.Method))
        {
            errors["method"] = ["Say how it was paid (card, cash, app, ...)."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (await store.Parking.GetSessionAsync(id, ct) is not { } session)
        {
            return NotFound(id);
        }

        var reply = await engines.SubmitAsync(ApiObservations.Create(http, new SiteId(session.SiteId),
            new PaymentRecorded(id, request.Amount, currency!, request.Method.Trim(), request.Reference, ApiObservations.Operator(http.User)), time));
        return reply switch
        {
            PaymentAccepted accepted => TypedResults.Ok(new PaymentResponse(accepted.PaymentId, accepted.BalanceDue)),
            Refused refused => TypedResults.Problem(title: "The payment was refused", detail: refused.Reason, statusCode: StatusCodes.Status422UnprocessableEntity),
            _ => TypedResults.Problem(title: "Unexpected answer", detail: reply.ToString(), statusCode: StatusCodes.Status500InternalServerError),
        };
    }

    private static async Task<Results<Ok<ExitDecisionResponse>, ValidationProblem, ProblemHttpResult>> ExitDecisionAsync(
        string siteId, string? plate, string? parkingSessionId, Store store, SiteEngines engines, TimeProvider time, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(plate) == string.IsNullOrWhiteSpace(parkingSessionId))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["plate"] = ["Give either a plate or a parkingSessionId."] });
        }

        if (await store.Parking.GetSiteAsync(siteId, ct) is null)
        {
            return TypedResults.Problem(title: "No such site", detail: $"No site '{siteId}'.", statusCode: StatusCodes.Status404NotFound);
        }

        var now = time.GetUtcNow();
        var wanted = plate is null ? null : PlateText.Normalize(plate);
        var decision = await engines.ReadAsync(new SiteId(siteId), state =>
        {
            var currency = state.Configuration?.Currency ?? "";
            var session = parkingSessionId is not null
                ? state.Parking.FindSession(parkingSessionId)
                : Stay(state, wanted!, now);
            if (session is null)
            {
                return new ExitDecisionResponse("pay", "no stay found for this plate: ask the driver or an operator", null, wanted, 0, currency, null);
            }

            var bill = Current(state, session.Id, now);
            if (bill is null)
            {
                return new ExitDecisionResponse("open", "the site has no tariffs", session.Id, session.Plate, 0, currency, null);
            }

            if (state.Configuration?.Tariffs.Permits.Any(p => p.Covers(session.Plate, session.EnteredAt ?? now)) == true && bill.BalanceDue <= 0)
            {
                return new ExitDecisionResponse("open", "covered by a permit", session.Id, session.Plate, 0, currency, bill);
            }

            return bill.BalanceDue <= 0
                ? new ExitDecisionResponse("open", bill.Paid > 0 ? "paid" : "nothing to pay", session.Id, session.Plate, 0, currency, bill)
                : new ExitDecisionResponse("pay", "payment due", session.Id, session.Plate, bill.BalanceDue, currency, bill);
        });
        return TypedResults.Ok(decision);
    }

    /// <summary>
    /// The stay a gate asks about: among the vehicles inside and those that left in the last hour (the
    /// exit read usually closes the stay a moment before the gate asks), the one with the plate, else
    /// the one vehicle the plate is an OCR look-alike of (the exit camera may misread it as the entry
    /// camera did not); open before closed. Several look-alikes are not guessed between.
    /// </summary>
    private static ParkingSession? Stay(SiteState state, string plate, DateTimeOffset now)
    {
        var current = state.Parking.Sessions
            .Where(s => s.ClosedBy is not ParkingSessionClosure.Merged && (s.IsOpen || s.ExitedAt is null || s.ExitedAt > now - TimeSpan.FromHours(1)))
            .ToList();
        var sessions = current.Where(s => s.Plate == plate).ToList();
        if (sessions.Count == 0)
        {
            sessions = current.Where(s => PlateSimilarity.IsSameVehicle(s.Plate, plate)).ToList();
            if (sessions.Select(s => s.Plate).Distinct(StringComparer.Ordinal).Count() != 1)
            {
                return null;
            }
        }

        return sessions.FirstOrDefault(s => s.IsOpen) ?? sessions.OrderByDescending(s => s.ExitedAt).FirstOrDefault();
    }

    private static BillResponse? Current(SiteState state, string parkingSessionId, DateTimeOffset now)
    {
        if (state.Configuration is not { } config || state.Parking.FindSession(parkingSessionId) is not { } session)
        {
            return null;
        }

        var payments = state.Billing.PaymentsOf(parkingSessionId);
        if (state.Billing.Find(parkingSessionId) is { } settled)
        {
            return Response(session.Id, session.Plate, settled.Id, settled.Bill, settled.Adjustments, payments);
        }

        var estimate = BillingRules.Estimate(session, config, state.Parking.FindVisit, state.Binding.Bindings, state.FindSession, now);
        return Response(session.Id, session.Plate, null, estimate, [], payments);
    }

    private static BillResponse Response(string id, string plate, string? billId, Bill original, IReadOnlyList<BillAdjustment> adjustments, IReadOnlyList<Payment> payments)
    {
        var current = adjustments.Count == 0 ? original : adjustments[^1].Recomputed;
        var paid = payments.Sum(p => p.Amount);
        return new BillResponse(
            id, plate, current.Status == BillStatus.Final ? "final" : "estimate", billId, current, adjustments.Count == 0 ? null : original, adjustments, payments, paid, current.Total - paid);
    }

    private static async Task<IResult> DailyReportAsync(string siteId, string? date, string? format, Store store, TimeProvider time, CancellationToken ct)
    {
        if (await store.Parking.GetSiteAsync(siteId, ct) is not { } site)
        {
            return TypedResults.Problem(title: "No such site", detail: $"No site '{siteId}'.", statusCode: StatusCodes.Status404NotFound);
        }

        var zone = TimeZones.Find(site.TimeZone);
        DateOnly day;
        if (date is null)
        {
            day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time.GetUtcNow(), zone).DateTime);
        }
        else if (!DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["date"] = ["Use a local date like 2026-11-26."] });
        }

        var report = await Reconciliation.BuildAsync(store, siteId, site.Currency, zone, day, time.GetUtcNow(), ct);
        return format?.ToLowerInvariant() switch
        {
            null or "json" => TypedResults.Ok(report),
            "csv" => TypedResults.Text(Reconciliation.Csv(report), "text/csv; charset=utf-8", Encoding.UTF8),
            _ => TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["format"] = ["json or csv"] }),
        };
    }

    private static ProblemHttpResult NotFound(string id) =>
        TypedResults.Problem(title: "No such parking session", detail: $"No parking session '{id}'.", statusCode: StatusCodes.Status404NotFound);
}
