using ParkCharge.Core.Parking;

namespace ParkCharge.Core.Engine;

/// <summary>The camera-health facet of a decision's working view: the cameras whose health this decision changed.</summary>
internal sealed partial class SiteChangeSet
{
    private readonly Dictionary<string, CameraHealth> _cameraHealth = new(StringComparer.Ordinal);

    public CameraHealth? CameraHealth(string camera) =>
        _cameraHealth.TryGetValue(camera, out var changed) ? changed : State.Cameras.Find(camera);

    public void Put(CameraHealth health) => _cameraHealth[health.Camera] = health;

    /// <summary>The events this decision published so far (what the modules before the reader did).</summary>
    public IReadOnlyList<DomainEvent> Published => _events;

    /// <summary>Sightings this decision created (a vehicle newly seen, not another read of one).</summary>
    public IEnumerable<Sighting> NewSightings() => _sightings.Values.Where(s => State.Parking.FindSighting(s.Id) is null);
}
