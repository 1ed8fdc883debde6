using ParkCharge.Core.Observations;

namespace ParkCharge.Core.Binding;

/// <summary>
/// An operator bound a charging session to a parking session (resolving a review item, or
/// correcting a binding). Audited: who and why.
/// </summary>
public sealed record BindingResolvedByOperator(string ChargingSessionId, string ParkingSessionId, string By, string Reason) : ObservationPayload(TypeName)
{
    public const string TypeName = "binding.resolved_by_operator";
}
