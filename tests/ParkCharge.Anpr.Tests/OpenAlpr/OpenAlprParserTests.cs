using System.Text;
using System.Text.Json.Nodes;

using ParkCharge.Core.Parking;
using ParkCharge.Core.Sites;

namespace ParkCharge.Anpr.Tests.OpenAlpr;

/// <summary>
/// The OpenALPR agent's (Rekor Scout's) posts: <c>alpr_group</c> (one vehicle, its best read and candidates, travel
/// direction in degrees), <c>alpr_results</c> (every recognised frame) and heartbeats.
/// </summary>
public sealed class OpenAlprParserTests
{
    private const string Json = "application/json";
    private static readonly CameraFormat Format = CameraFormat.OpenAlpr;

    [Fact]
    public async Task A_group_is_one_read_with_its_best_plate_candidates_and_heading()
    {
        var push = await Push.Accepted(Format, Json, Fixture.Bytes("OpenAlpr/group.json"));

        Assert.Equal("1234567", push.CameraId);
        var report = Assert.Single(push.Reports);
        var read = Assert.IsType<PlateRead>(report.Payload);
        Assert.Equal(("1234567", "ZH421337"), (read.Camera, read.Plate));
        Assert.Equal(0.9461, read.Confidence!.Value, 12);
        Assert.Equal(("ch", "sedan-standard"), (read.Region, read.VehicleType));
        var candidate = Assert.Single(read.Candidates);
        Assert.Equal(("ZH42I337", 0.8802), (candidate.Plate, Math.Round(candidate.Confidence!.Value, 12)));
        Assert.Equal(("Uw3nXr8pQ2LmT5vA9bKc-1234567-1772464500250", true), (read.Track, read.TrackEnded));
        Assert.Equal((600 + 713) / 2.0 / 1280, read.PlateX);
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 15, 15, 0, 250, TimeSpan.Zero), report.CapturedAt);
        Assert.Equal(92.5, report.Geometry!.HeadingDegrees);
        Assert.Equal(new PixelBox(600, 698, 713, 727), report.Geometry.PlateBox);
        Assert.Null(read.Direction); // degrees mean a direction only with the camera's mounting (HeadingIn)
        Assert.True(read.HasImage);
        Assert.Equal([("vehicle_crop_jpeg", (int?)0), ("plate_crop_jpeg", (int?)0)], push.Images.Select(i => (i.Name, i.ReportIndex)));
    }

    [Theory]
    [InlineData(90, TravelDirection.In)]
    [InlineData(270, TravelDirection.Out)]
    [InlineData(-88, TravelDirection.Out)]
    public async Task The_heading_means_in_or_out_by_the_angle_the_site_gives_for_entering(double headingIn, TravelDirection expected)
    {
        var report = Assert.Single((await Push.Accepted(Format, Json, Fixture.Bytes("OpenAlpr/group.json"))).Reports);
        var camera = new CameraConfiguration { Id = "1234567", Lane = "both", KeyHash = "k", HeadingIn = headingIn };

        Assert.Equal(expected, ((PlateRead)report.AtCamera(camera, "Europe/Zurich").Payload).Direction);
        Assert.Null(((PlateRead)report.AtCamera(camera with { HeadingIn = null }, "Europe/Zurich").Payload).Direction);
    }

    [Fact]
    public async Task A_preview_and_its_complete_group_are_one_track_and_two_reads()
    {
        var preview = Assert.Single((await Push.Accepted(Format, Json, Fixture.Bytes("OpenAlpr/group-preview.json"))).Reports);
        var complete = Assert.Single((await Push.Accepted(Format, Json, Fixture.Bytes("OpenAlpr/group.json"))).Reports);

        var first = (PlateRead)preview.Payload;
        Assert.Equal(("ZH42I337", false), (first.Plate, first.TrackEnded));
        Assert.Equal(first.Track, ((PlateRead)complete.Payload).Track);
        Assert.NotEqual(preview.IdempotencyKey, complete.IdempotencyKey);
        Assert.Equal(preview.CapturedAt, complete.CapturedAt);
    }

    [Fact]
    public async Task Results_are_one_read_per_plate_in_the_frame()
    {
        var push = await Push.Accepted(Format, Json, Fixture.Bytes("OpenAlpr/results.json"), cameraId: "gate-west");

        Assert.Null(push.CameraId);
        Assert.Equal(2, push.Reports.Count);
        var (first, second) = ((PlateRead)push.Reports[0].Payload, (PlateRead)push.Reports[1].Payload);
        Assert.Equal(("gate-west", "BE123AB", 0.9072, "fr"), (first.Camera, first.Plate, Math.Round(first.Confidence!.Value, 12), first.Region));
        Assert.Equal([new PlateCandidate("8E123AB", 0.841)], first.Candidates.Select(c => c with { Confidence = Math.Round(c.Confidence!.Value, 12) }));
        Assert.Equal("Uw3nXr8pQ2LmT5vA9bKc-1234567-1772464800512#0", first.ReadId);
        Assert.Equal((100 + 221) / 2.0 / 1280, first.PlateX);
        Assert.True(first.HasImage);
        Assert.Equal(("GH456CD", "Uw3nXr8pQ2LmT5vA9bKc-1234567-1772464800512#1", false), (second.Plate, second.ReadId, second.HasImage));
        Assert.Null(first.Track);
        Assert.All(push.Reports, r => Assert.Equal(new DateTimeOffset(2026, 3, 2, 15, 20, 0, 512, TimeSpan.Zero), r.CapturedAt));
        Assert.Equal((int?)0, Assert.Single(push.Images).ReportIndex);
    }

    [Fact]
    public async Task An_epoch_in_seconds_as_the_open_source_agent_writes_it_is_read_as_seconds()
    {
        var body = JsonNode.Parse(Fixture.Bytes("OpenAlpr/results.json"))!;
        body["epoch_time"] = 1402161050;

        var report = (await Push.Accepted(Format, Json, Encoding.UTF8.GetBytes(body.ToJsonString()), cameraId: "gate-west")).Reports[0];

        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1402161050), report.CapturedAt);
    }

    [Theory]
    [InlineData("heartbeat")]
    [InlineData("alpr_alert")]
    [InlineData("vehicle")]
    public async Task Heartbeats_and_other_posts_carry_no_read(string dataType)
    {
        var body = JsonNode.Parse(Fixture.Bytes("OpenAlpr/heartbeat.json"))!;
        body["data_type"] = dataType;

        var push = await Push.Accepted(Format, Json, Encoding.UTF8.GetBytes(body.ToJsonString()));

        Assert.Empty(push.Reports);
    }

    [Fact]
    public async Task A_post_that_says_nothing_of_what_it_is_is_refused()
    {
        var error = Assert.Single(await Push.Refused(Format, Json, """{"camera_id":1,"best_plate_number":"AB123"}"""u8.ToArray()));

        Assert.Equal("data_type", error.Path);
    }

    [Fact]
    public async Task A_group_without_a_camera_anywhere_is_refused()
    {
        var body = JsonNode.Parse(Fixture.Bytes("OpenAlpr/group.json"))!.AsObject();
        body.Remove("camera_id");

        var error = Assert.Single(await Push.Refused(Format, Json, Encoding.UTF8.GetBytes(body.ToJsonString())));

        Assert.Equal("camera_id", error.Path);
    }

    [Theory]
    [InlineData("best_confidence", "\"very\"")]
    [InlineData("best_confidence", "101")]
    [InlineData("epoch_start", "-5")]
    [InlineData("vehicle_crop_jpeg", "\"%%%\"")]
    public async Task A_value_of_the_wrong_kind_is_refused_naming_its_member(string member, string value)
    {
        var body = JsonNode.Parse(Fixture.Bytes("OpenAlpr/group.json"))!;
        body[member] = JsonNode.Parse(value);

        var errors = await Push.Refused(Format, Json, Encoding.UTF8.GetBytes(body.ToJsonString()));

        Assert.Contains(errors, e => e.Path == member);
    }
}
