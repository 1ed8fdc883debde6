using ParkCharge.Core.Observations;

namespace ParkCharge.Core.Billing;

/// <summary>A payment for a stay, from a pay station, an app or a terminal, recorded through the API.</summary>
public sealed record PaymentRecorded(string ParkingSessionId, decimal Amount, string Currency, string Method, string? Reference, string By) : ObservationPayload(TypeName)
{
    public const string TypeName = "payment.recorded";
}

/// <summary>
/// OCPP 2.1 NotifySettlement: a payment terminal on the charger settled (or failed to settle) a payment, for a
/// transaction when it names one. Recorded as a payment on the stay the transaction is bound to (method
/// <see cref="BillingRules.ChargerTerminal"/>, reference the PSP's); kept and reported when it matches no stay.
/// </summary>
/// <param name="Status">PaymentStatusEnumType as the charger spelled it: Settled, Canceled, Rejected, Failed.</param>
public sealed record SettlementReported(
    Charging.ChargerId Charger,
    string? TransactionId,
    string PspReference,
    string Status,
    decimal Amount,
    DateTimeOffset SettledAt,
    string? StatusInfo = null,
    string? ReceiptId = null,
    string? ReceiptUrl = null) : ObservationPayload(TypeName)
{
    public const string TypeName = "settlement.reported";
}
