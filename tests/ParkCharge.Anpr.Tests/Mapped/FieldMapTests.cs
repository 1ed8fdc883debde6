using ParkCharge.Anpr.Mapped;
using ParkCharge.Core.Sites;

namespace ParkCharge.Anpr.Tests.Mapped;

/// <summary>What a field map may say, and every problem of one that says something else, named by its field.</summary>
public sealed class FieldMapTests
{
    [Theory]
    [InlineData("$.plate", 1)]
    [InlineData("$['plate text'].value", 2)]
    [InlineData("$.reads[0].plate", 3)]
    [InlineData("$.reads[-1]", 2)]
    [InlineData("@.lpr[\"it's\"]", 2)]
    public void JSON_paths_of_plain_steps_are_understood(string path, int steps)
    {
        var expression = JsonPathExpression.Parse(path, out var error);

        Assert.Null(error);
        Assert.Equal(steps, expression!.Segments.Count);
    }

    [Theory]
    [InlineData("plate", "starts with $")]
    [InlineData("$..plate", "'..' (descendants) is not supported")]
    [InlineData("$.reads[?(@.score>0.5)]", "filters and slices are not supported")]
    [InlineData("$.reads[1:3]", "filters and slices are not supported")]
    [InlineData("$['open", "is not closed")]
    [InlineData("$.1abc", "expected a member name")]
    public void JSON_paths_beyond_plain_steps_are_refused_with_the_reason(string path, string reason)
    {
        Assert.Null(JsonPathExpression.Parse(path, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_JSON_path_of_thousands_of_steps_is_refused()
    {
        Assert.Null(JsonPathExpression.Parse("$" + string.Concat(Enumerable.Repeat(".a", 100)), out var error));
        Assert.Equal("has more than 32 steps", error);
        Assert.Null(JsonPathExpression.Parse("$." + new string('a', 300), out error));
        Assert.Equal("is longer than 256 characters", error);
    }

    [Theory]
    [InlineData("/Event/Plate", false, null)]
    [InlineData("/ns:Event/ns:Plate/@confidence", false, "confidence")]
    [InlineData("Plate[2]/text()", true, null)]
    [InlineData("@time", true, "time")]
    public void XPaths_of_child_steps_are_understood(string path, bool relative, string? attribute)
    {
        var expression = XmlPathExpression.Parse(path, out var error);

        Assert.Null(error);
        Assert.Equal((relative, attribute), (expression!.IsRelative, expression.Attribute));
    }

    [Theory]
    [InlineData("//Plate", "'//' (descendants) is not supported")]
    [InlineData("/Event/Plate[@type='x']", "is not a position")]
    [InlineData("/Event/@a/b", "can only be the last step")]
    [InlineData("/Event/count(Plate)", "is not an element name")]
    [InlineData("", "is empty")]
    public void XPaths_beyond_child_steps_are_refused_with_the_reason(string path, string reason)
    {
        Assert.Null(XmlPathExpression.Parse(path, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_problem_of_a_map_is_listed_by_its_field()
    {
        var map = new CameraFieldMap
        {
            Plate = "$.reads[*].plate",
            Confidence = "@.score",
            ConfidenceScale = 10,
            Time = null,
            TimeFormat = "unix-ms",
            Zone = "$..zone",
            Picture = "$.img",
            PicturePart = "image",
            DirectionValues = [new("IN", ReportedDirection.In), new("in", ReportedDirection.Out)],
        };

        Assert.Null(MappedFields.Compile(map, out var problems));

        Assert.Equal(
            ["plate", "confidence", "zone", "confidenceScale", "picturePart", "timeFormat", "directions"],
            problems.Select(p => p.Field));
    }

    [Theory]
    [InlineData("dd.MM.yyyy HH:mm", null)]
    [InlineData("yyyyMMddHHmmssfff", null)]
    [InlineData("yyyy-MM-dd'T'HH:mm:sszzz", null)]
    [InlineData("HH:mm:ss", "missing: year, month, day")]
    [InlineData("yyyy-MM-dd", "missing: hour (H or h with tt), minute")]
    [InlineData("rubbish", "missing")]
    public void A_custom_time_format_must_name_a_whole_time(string format, string? problem)
    {
        var compiled = MappedFields.Compile(new CameraFieldMap { Plate = "$.p", Time = "$.t", TimeFormat = format }, out var problems);

        if (problem is null)
        {
            Assert.NotNull(compiled);
            Assert.Equal(MappedFields.TimeReading.Custom, compiled.TimeFormat);
        }
        else
        {
            Assert.Contains(problem, Assert.Single(problems).Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_relative_path_needs_reads_and_reads_must_start_at_the_document()
    {
        Assert.Null(MappedFields.Compile(new CameraFieldMap { Plate = "@.plate" }, out var problems));
        Assert.Contains("the map has no reads", Assert.Single(problems).Message, StringComparison.Ordinal);

        Assert.Null(MappedFields.Compile(new CameraFieldMap { Document = CameraDocumentKind.Xml, Reads = "Read", Plate = "Plate" }, out problems));
        Assert.Equal("reads", Assert.Single(problems).Field);
    }
}
