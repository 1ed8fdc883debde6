using ParkCharge.Core.Observations;

namespace ParkCharge.Server.Sites;

/// <summary>
/// The site engine could not decide on one observation, or the store refused to keep it: it was not
/// accepted (nothing of it is in the log), its source gets an error (HTTP 500, OCPP InternalError),
/// and the site goes on with everything else.
/// </summary>
public sealed class ObservationFailedException(Observation observation, Exception inner)
    : Exception($"The {observation.Payload.Kind} observation from {observation.Source} could not be accepted.", inner)
{
    public Observation Observation { get; } = observation;
}
