using ParkCharge.Core.Observations;

namespace ParkCharge.Core.Billing;

/// <summary>A payment for a stay, from a pay station, an app or a terminal, recorded through the API.</summary>
public sealed record PaymentRecorded(string ParkingSessionId, decimal Amount, string Currency, string Method, string? Reference, string By) : ObservationPayload(TypeName)
{
    public const string TypeName = "payment.recorded";
}
