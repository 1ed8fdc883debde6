using ParkCharge.Core.Parking;

namespace ParkCharge.Core.Engine;

/// <summary>The inferred-stays facet of a decision's working view: the cameras whose health this decision changed (their blind spells follow their alarms).</summary>
internal sealed partial class SiteChangeSet
{
    public IEnumerable<CameraHealth> ChangedCameraHealth() => _cameraHealth.Values;
}
