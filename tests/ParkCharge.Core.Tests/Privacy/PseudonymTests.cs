using ParkCharge.Core.Plates;
using ParkCharge.Core.Privacy;

namespace ParkCharge.Core.Tests.Privacy;

public sealed class PseudonymTests
{
    private static readonly byte[] Secret = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];
    private static readonly byte[] OtherSecret = [.. Enumerable.Range(2, 32).Select(i => (byte)i)];

    [Fact]
    public void The_same_plate_under_one_secret_gets_one_pseudonym_and_under_the_next_secret_an_unrelated_one()
    {
        var first = Pseudonyms.Of(Secret, "AB12CD");

        Assert.Equal(first, Pseudonyms.Of(Secret, "AB12CD"));
        Assert.NotEqual(first, Pseudonyms.Of(OtherSecret, "AB12CD"));
        Assert.NotEqual(first, Pseudonyms.Of(Secret, "AB12CE"));
        Assert.True(Pseudonyms.IsPseudonym(first));
        Assert.Equal(first, PlateText.Normalize(first)); // survives normalisation: a pseudonymised log replays
        Assert.Equal("", Pseudonyms.Of(Secret, "")); // an unreadable plate names nobody
    }

    [Theory]
    [InlineData("AB12CD")]
    [InlineData("PSN")]
    [InlineData("PSNAAAAAAAAAAAAAAAAAAA")] // one short
    [InlineData("PSNAAAAAAAAAAAAAAAAAAA1")] // 1 is not base32
    [InlineData("XSNAAAAAAAAAAAAAAAAAAAA")]
    public void A_plate_is_not_taken_for_a_pseudonym(string plate) => Assert.False(Pseudonyms.IsPseudonym(plate));

    [Fact]
    public void A_pseudonym_is_never_the_same_vehicle_as_a_look_alike_of_it_nor_as_a_real_plate()
    {
        var pseudonym = Pseudonyms.Of(Secret, "AB12CD");
        var lookAlike = pseudonym[..^1] + (pseudonym[^1] == 'O' ? 'D' : 'O'); // one cheap OCR substitution away

        Assert.True(PlateSimilarity.IsSameVehicle(pseudonym, pseudonym));
        Assert.False(PlateSimilarity.IsSameVehicle(pseudonym, lookAlike));
        Assert.False(PlateSimilarity.IsSameVehicle(pseudonym, "AB12CD"));
        Assert.False(PlateSimilarity.IsSameVehicle("AB12CD", pseudonym));
        Assert.True(PlateSimilarity.IsSameVehicle("AB12CD", "AB12C0")); // real plates still match by look-alike
    }

    [Fact]
    public void A_misread_of_a_stay_becomes_a_variant_that_is_the_same_vehicle_as_its_stay_and_nothing_else()
    {
        var stay = Pseudonyms.Of(Secret, "AB12CD");
        var misread = Pseudonyms.Variant(Secret, stay, "AB12C0");
        var otherStay = Pseudonyms.Of(Secret, "AB12C0");

        Assert.True(Pseudonyms.IsPseudonym(misread));
        Assert.True(PlateSimilarity.IsSameVehicle(stay, misread));
        Assert.True(PlateSimilarity.IsSameVehicle(misread, stay));
        Assert.False(PlateSimilarity.IsSameVehicle(misread, otherStay));
        Assert.False(PlateSimilarity.IsSameVehicle(misread, "AB12C0"));
    }

    [Fact]
    public void The_scrubber_replaces_a_plate_as_a_whole_value_as_raw_text_and_as_a_word_but_not_inside_a_longer_plate()
    {
        var stay = Pseudonyms.Of(Secret, "AB12");
        var scrubber = new PlateScrubber(stay, ["ab-12", "AB12"], n => n == "AB12" ? stay : Pseudonyms.Variant(Secret, stay, n));

        Assert.Equal(stay, scrubber.Text("ab-12"));
        Assert.Equal($"{stay} left bay 3", scrubber.Text("ab-12 left bay 3"));
        Assert.Equal($"exit read {stay} names the stay of XAB12Y", scrubber.Text("exit read AB12 names the stay of XAB12Y"));
        Assert.Equal("AB123 and XAB12", scrubber.Text("AB123 and XAB12"));
    }

    [Fact]
    public void The_scrubber_reads_json_so_escaped_characters_do_not_hide_a_plate_and_property_names_stay()
    {
        var stay = Pseudonyms.Of(Secret, "MUAB77");
        var scrubber = new PlateScrubber(stay, ["MÜ-AB 77"], _ => stay);

        var json = scrubber.Json("""{"plate":"M\u00DC-AB 77","detail":"M\u00DC-AB 77 at bay 2","MUAB77":1,"n":2.50}""");

        Assert.Equal($$"""{"plate":"{{stay}}","detail":"{{stay}} at bay 2","MUAB77":1,"n":2.50}""", json);
    }

    [Fact]
    public void A_fragment_shorter_than_four_characters_is_replaced_only_where_it_is_the_whole_value()
    {
        var stay = Pseudonyms.Of(Secret, "12");
        var scrubber = new PlateScrubber(stay, ["12"], _ => stay);

        Assert.Equal(stay, scrubber.Text("12"));
        Assert.Equal("connector 12 at bay EV-12", scrubber.Text("connector 12 at bay EV-12"));
    }

    [Theory]
    [InlineData(3, 0, 0, StayRetentionVerdict.Keep)]
    [InlineData(9, 0, 0, StayRetentionVerdict.Pseudonymise)]
    [InlineData(9, 5, 0, StayRetentionVerdict.Held)]
    [InlineData(9, 0, 1, StayRetentionVerdict.Held)]
    [InlineData(400, 5, 1, StayRetentionVerdict.Pseudonymise)] // past the longest hold
    public void A_stay_is_kept_during_its_period_then_pseudonymised_unless_owed_or_disputed(int daysSinceExit, int owed, int disputes, StayRetentionVerdict expected)
    {
        var now = new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
        var stay = new StayForRetention("s", false, now.AddDays(-daysSinceExit), owed, disputes);

        Assert.Equal(expected, StayRetention.Judge(stay, new SiteRetention(), now).Verdict);
    }

    [Fact]
    public void Erasure_takes_a_recent_paid_stay_at_once_but_never_a_vehicle_still_inside()
    {
        var now = new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

        Assert.Equal(StayRetentionVerdict.Pseudonymise, StayRetention.Judge(new StayForRetention("s", false, now.AddHours(-1), 0, 0), new SiteRetention(), now, erasureRequested: true).Verdict);
        var inside = StayRetention.Judge(new StayForRetention("s", true, now, 0, 0), new SiteRetention(), now, erasureRequested: true);
        Assert.Equal((StayRetentionVerdict.Held, "the vehicle is inside: its stay is not settled"), inside);
    }
}
