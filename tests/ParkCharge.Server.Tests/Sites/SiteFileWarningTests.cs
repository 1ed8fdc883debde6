using static ParkCharge.Server.Tests.Sites.SiteFileSamples;

namespace ParkCharge.Server.Tests.Sites;

/// <summary>What is allowed but probably not meant: reported apart from errors, never failing a file.</summary>
public sealed class SiteFileWarningTests
{
    [Fact]
    public void An_ev_bay_without_a_camera_is_a_warning_and_the_site_is_still_valid()
    {
        var result = Parse(MinimalYaml + """

            chargers: [{ id: CP-1 }]
            evBays:
              - { id: EV-01, charger: CP-1, connector: 1 }
              - { id: EV-02, charger: CP-1, connector: 2 }
            bayCameras: [{ id: cam, key: bay-camera-key-00001, bays: [EV-01] }]
            """);

        Assert.True(result.IsValid);
        Assert.Equal(
            ["evBays[1]: EV bay 'EV-02' has no camera: binding its charging sessions to a plate will have only the fallbacks (known id token, fuzzy match, operator) (line 8)"],
            result.Warnings.Select(w => w.ToString()));
    }

    [Fact]
    public void A_lane_without_a_camera_and_a_charger_serving_no_bay_are_warnings()
    {
        var result = Parse(MinimalYaml + """

            lanes: [{ id: gate, direction: both }]
            chargers: [{ id: CP-1 }]
            """);

        Assert.True(result.IsValid);
        Assert.Equal(
            [
                "lanes[0]: lane 'gate' has no camera: vehicles using it are not seen (line 5)",
                "chargers[0]: charger 'CP-1' serves no EV bay: its sessions cannot be tied to a bay (line 6)",
            ],
            result.Warnings.Select(w => w.ToString()));
    }

    [Fact]
    public void A_bay_camera_with_an_error_still_counts_as_watching_its_bays()
    {
        var result = Parse(MinimalYaml + """

            chargers: [{ id: CP-1 }]
            evBays: [{ id: EV-01, charger: CP-1, connector: 1 }]
            bayCameras: [{ id: cam, key: "${UNSET}", bays: [EV-01] }]
            """);

        Assert.Equal(["bayCameras[0].key: environment variable 'UNSET' is not set (line 7)"], result.Errors.Select(e => e.ToString()));
        Assert.Empty(result.Warnings);
    }
}
