namespace ParkCharge.Core.Parking;

/// <summary>The health of each camera of the site (<see cref="CameraHealth"/>). Part of <see cref="Engine.SiteState"/>; changed only through it.</summary>
public sealed class CameraHealthState
{
    private readonly Dictionary<string, CameraHealth> _cameras = new(StringComparer.Ordinal);

    public IEnumerable<CameraHealth> All => _cameras.Values;

    public CameraHealth? Find(string camera) => _cameras.GetValueOrDefault(camera);

    internal void Take(Engine.SiteChanges changes)
    {
        foreach (var health in changes.CameraHealth)
        {
            _cameras[health.Camera] = health;
        }
    }
}
