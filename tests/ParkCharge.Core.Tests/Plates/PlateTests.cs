using CsCheck;

using ParkCharge.Core.Plates;

namespace ParkCharge.Core.Tests.Plates;

public sealed class PlateTests
{
    private static readonly Gen<string> Plates = Gen.Char["ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"].Array[2, 9].Select(c => new string(c));

    [Theory]
    [InlineData("ab-12 cd", "AB12CD")]
    [InlineData("AB 12CD", "AB12CD")]
    [InlineData("m.üller 7", "MULLER7")]
    [InlineData("  ", "")]
    [InlineData("АВ123С", "AB123C")] // Cyrillic look-alikes
    public void Plates_are_normalised_to_upper_case_letters_and_digits_and_keep_their_raw_text(string raw, string normalized)
    {
        var plate = PlateText.Of(raw);

        Assert.Equal(normalized, plate.Normalized);
        Assert.Equal(raw, plate.Raw);
        Assert.Equal(normalized.Length == 0, plate.IsUnreadable);
    }

    [Theory]
    [InlineData("AB12CD", "AB12CD", 0)]
    [InlineData("AB12CD", "A812CD", 0.5)] // B/8
    [InlineData("AB12CD", "AB12C0", 0.5)] // D/0
    [InlineData("AB12CD", "A812C0", 1.0)] // two look-alikes
    [InlineData("AB12CD", "AB12CX", 1.0)] // one arbitrary error
    [InlineData("AB12CD", "AB12C", 1.0)]  // one character missed
    [InlineData("AB12CD", "AB21CD", 1.0)] // two characters swapped
    [InlineData("AB12CD", "XY12CD", 2.0)]
    public void Look_alike_confusions_are_cheaper_than_other_errors(string a, string b, double distance)
    {
        Assert.Equal(distance, PlateSimilarity.Distance(a, b));
    }

    [Theory]
    [InlineData("AB12CD", "A812C0", true)]
    [InlineData("AB12CD", "AB12C", true)]
    [InlineData("AB12CD", "XY12CD", false)]
    [InlineData("AB12CD", "", false)]
    [InlineData("", "", false)]
    public void Plates_one_ocr_error_apart_may_be_the_same_vehicle_and_unreadable_plates_never_are(string a, string b, bool same)
    {
        Assert.Equal(same, PlateSimilarity.IsSameVehicle(a, b));
    }

    [Fact]
    public void Similarity_is_symmetric()
    {
        Gen.Select(Plates, Plates).Sample((a, b) => PlateSimilarity.Distance(a, b) == PlateSimilarity.Distance(b, a), iter: 2_000);
    }

    [Fact]
    public void A_plate_is_always_most_similar_to_itself()
    {
        Gen.Select(Plates, Plates).Sample((a, b) =>
            PlateSimilarity.Distance(a, a) == 0 && (a == b || PlateSimilarity.Distance(a, b) > 0), iter: 2_000);
    }

    [Fact]
    public void The_same_vehicle_test_agrees_with_the_distance_for_plates_near_and_far()
    {
        // Near ones too: a plate with one to three characters changed, dropped or swapped.
        var edited = Gen.Select(Plates, Gen.Int[0, 8].Array[1, 3], Gen.Char["ABDEGILOQSTUVZ0124568"], Gen.Int[0, 3]).Select((plate, places, c, kind) =>
        {
            var text = plate;
            foreach (var place in places)
            {
                var i = place % text.Length;
                text = kind switch
                {
                    0 => text[..i] + c + text[(i + 1)..],
                    1 when text.Length > 1 => text[..i] + text[(i + 1)..],
                    2 when i + 1 < text.Length => text[..i] + text[i + 1] + text[i] + text[(i + 2)..],
                    _ => text[..i] + c + text[i..],
                };
            }

            return (plate, text);
        });
        Gen.OneOf(edited, Gen.Select(Plates, Plates)).Sample(
            pair => PlateSimilarity.IsSameVehicle(pair.Item1, pair.Item2) == (PlateSimilarity.Distance(pair.Item1, pair.Item2) <= PlateSimilarity.SameVehicleThreshold),
            iter: 5_000);
    }

    [Fact]
    public void Normalising_twice_changes_nothing()
    {
        Gen.String.Sample(raw => PlateText.Normalize(PlateText.Normalize(raw)) == PlateText.Normalize(raw), iter: 2_000);
    }

    [Fact]
    public void One_look_alike_confusion_always_keeps_a_plate_recognisable()
    {
        Gen.Select(Plates, Gen.Int[0, 8]).Sample((plate, position) =>
        {
            var i = position % plate.Length;
            var misread = plate[i] switch { 'O' => '0', '0' => 'O', 'B' => '8', '8' => 'B', 'S' => '5', '5' => 'S', var c => c };
            var read = plate[..i] + misread + plate[(i + 1)..];
            return PlateSimilarity.IsSameVehicle(plate, read);
        }, iter: 2_000);
    }
}
