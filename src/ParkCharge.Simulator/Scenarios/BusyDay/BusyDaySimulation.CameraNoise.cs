using System.Text;

using ParkCharge.Core.Observations;
using ParkCharge.Core.Parking;
using ParkCharge.Core.Plates;

namespace ParkCharge.Simulator.Scenarios.BusyDay;

/// <summary>
/// Device noise, cameras: what they make of the traffic. Gate and bay cameras that miss and misread plates,
/// run on skewed clocks, push late or twice, place a read at the neighbouring bay, lose a vacancy report.
/// </summary>
internal sealed partial class BusyDaySimulation
{
    private const string Alphanumerics = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    /// <summary>The look-alike groups of <see cref="PlateSimilarity"/>: what an OCR engine confuses.</summary>
    private static readonly string[] LookAlikeGroups = ["O0DQ", "I1LT", "B8", "S5", "Z2", "G6", "A4", "UV"];

    // ------------------------------------------------------------------ what the cameras make of it

    /// <summary>A gate camera's reads of a passing vehicle: whether any arrived, and whether the best of them is misread.</summary>
    private (bool Read, bool Misread) GateReads(Camera camera, Vehicle vehicle, DateTimeOffset at)
    {
        if (Chance(_rates.MissedGateRead))
        {
            return (false, true);
        }

        var best = (Confidence: 0.0, Misread: false);
        var count = 1 + _random.Next(2);
        for (var i = 0; i < count; i++)
        {
            var capture = at + (i * Seconds(0.4, 1.2));
            var text = Chance(_rates.GateReadError) ? LookAlike(vehicle.Plate, 1) : vehicle.Plate;
            var confidence = text == vehicle.Plate ? U(0.82, 0.99) : U(0.7, 0.9);
            Read(camera, vehicle, capture, text, confidence, capture + Seconds(0.2, 1.5));
            if (confidence > best.Confidence)
            {
                best = (confidence, text != vehicle.Plate);
            }
        }

        return (true, best.Misread);
    }

    /// <summary>
    /// The bay camera's reads of a stay: none at all, only unreadable ones, only low-confidence ones, or
    /// a burst of one to three reads, each with a chance of an OCR error (or every one the same misread:
    /// <see cref="Stay.MisreadAs"/>); taken a few seconds after the car stopped or, when it reversed in or
    /// someone stood in front, up to 100 s later; usually pushed at once, sometimes buffered for minutes;
    /// sometimes pushed twice. Then, often, one or two more as the car pulls out.
    /// </summary>
    private void BayReads(Stay stay)
    {
        if (!Chance(_rates.MissedBayRead) || stay.Seen)
        {
            var r = stay.Seen ? 1 : _random.NextDouble();
            var unreadable = r < _rates.UnreadableBayRead;
            var lowConfidence = !unreadable && r < _rates.UnreadableBayRead + _rates.LowConfidenceBayRead;
            var capture = stay.Arrived + (Chance(_rates.ReadsLate) ? Seconds(20, 100) : Seconds(3, 15));
            TimeSpan? buffered = Chance(_rates.DelayedPush) ? Seconds(60, 600) : null;
            stay.ReadsDelayed = buffered is not null;
            var count = 1 + _random.Next(3);
            for (var i = 0; i < count; i++)
            {
                if (i > 0)
                {
                    capture += Seconds(1, 3);
                }

                var received = capture + (buffered is { } delay ? delay + (i * TimeSpan.FromMilliseconds(150)) : Seconds(0.2, 2.5));
                BayRead(stay, capture, received, unreadable, lowConfidence, leaving: false);
            }
        }

        if (Chance(_rates.ReReadLeaving))
        {
            // Pulling out: the plate passes the camera again, at an angle and nearer the other bay.
            var capture = stay.Left - Seconds(0, 8);
            var count = 1 + _random.Next(2);
            for (var i = 0; i < count; i++)
            {
                BayRead(stay, capture, capture + Seconds(0.2, 2.5), unreadable: false, lowConfidence: false, leaving: true);
                capture += Seconds(0.5, 2);
            }
        }
    }

    private void BayRead(Stay stay, DateTimeOffset capture, DateTimeOffset received, bool unreadable, bool lowConfidence, bool leaving)
    {
        var vehicle = stay.Presence.Vehicle;
        var camera = stay.Bay.Camera;
        var (text, misread) = unreadable ? ("", false)
            : stay.MisreadAs is { } wrong && Chance(stay.MisreadShare) ? (wrong, true)
            : Misread(vehicle.Plate);
        var confidence = unreadable ? U(0.05, 0.4) : lowConfidence ? U(0.35, 0.69)
            : misread && text == stay.MisreadAs ? U(0.8, 0.97) // the camera is sure of what it gets wrong every time
            : misread ? U(0.7, 0.9) : U(0.82, 0.99);
        stay.OcrError |= misread;
        var (bay, zone, x) = Position(camera, stay.Bay, leaving);
        var key = Read(camera, vehicle, capture, text, confidence, received, zone, x);
        stay.Reads.Add(new BayReadTruth(key, text, confidence, capture, capture + camera.Skew, received, bay, leaving));
    }

    /// <summary>
    /// Where a camera covering two bays places a read: the zone it names (a car pulling out is sometimes in
    /// the neighbour's zone already) or the plate's horizontal position, scattered around the bay's centre,
    /// nearer the boundary for a car pulling out. Returns the bay the server will take it for.
    /// </summary>
    private (Bay Bay, string? Zone, double? X) Position(Camera camera, Bay bay, bool leaving)
    {
        if (camera.Bays.Count == 1)
        {
            return (bay, null, null);
        }

        var other = camera.Bays[0] == bay ? camera.Bays[1] : camera.Bays[0];
        if (camera.Zones)
        {
            var seen = leaving && Chance(_rates.ZoneSlipLeaving) ? other : bay;
            return (seen, seen.Zone, null);
        }

        var left = bay == camera.Bays[0];
        var centre = (left ? 0.27 : 0.73) + (leaving ? (left ? 0.12 : -0.12) : 0);
        var x = Math.Round(Math.Clamp(centre + (_rates.PlatePositionSpread * Gaussian()), 0.02, 0.98), 3);
        return (x <= 0.5 ? camera.Bays[0] : camera.Bays[1], null, x);
    }

    /// <summary>A camera that senses occupancy says the bay is empty a few seconds after the car left (unless that report is lost).</summary>
    private void Vacancy(Stay stay)
    {
        var camera = stay.Bay.Camera;
        if (!camera.ReportsVacancy)
        {
            return;
        }

        if (Chance(_rates.LostVacancy))
        {
            _lostVacancies++;
            return;
        }

        var at = stay.Left + Seconds(5, 30);
        var observation = new Observation
        {
            Site = _site.Id,
            Source = "anpr:" + camera.Id,
            Key = Invariant($"anpr:{camera.Id}:vacant:{++camera.Reads:D6}"),
            EventTime = at + camera.Skew,
            ReceivedAt = at + Seconds(0.2, 2),
            Payload = new BayVacancyReported(camera.Id, camera.Bays.Count > 1 ? stay.Bay.Zone : null),
        };
        Add(observation);
    }

    private string Read(Camera camera, Vehicle vehicle, DateTimeOffset capture, string text, double confidence, DateTimeOffset received, string? zone = null, double? plateX = null)
    {
        var readId = Invariant($"{++camera.Reads:D6}");
        var key = Invariant($"anpr:{camera.Id}:{readId}");
        var observation = new Observation
        {
            Site = _site.Id,
            Source = "anpr:" + camera.Id,
            Key = key,
            EventTime = capture + camera.Skew,
            ReceivedAt = received,
            Payload = new PlateRead
            {
                Camera = camera.Id,
                Plate = text.Length == 0 ? "" : FormatLike(vehicle.RawPlate, text),
                Confidence = Math.Round(confidence, 3),
                ReadId = readId,
                Zone = zone,
                PlateX = plateX,
            },
        };
        Add(observation);
        if (Chance(_rates.DuplicatePush))
        {
            Add(observation with { ReceivedAt = received + Seconds(1, 30) });
        }

        _vehicleOfRead[key] = vehicle.Id;
        return key;
    }

    /// <summary>A standard normal sample (Box–Muller).</summary>
    private double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - _random.NextDouble())) * Math.Cos(2 * Math.PI * _random.NextDouble());

    private (string Text, bool Misread) Misread(string plate)
    {
        var r = _random.NextDouble();
        var text = r < _rates.LookAlikeError ? LookAlike(plate, 1)
            : r < _rates.LookAlikeError + _rates.TwoLookAlikeErrors ? LookAlike(plate, 2)
            : r < _rates.LookAlikeError + _rates.TwoLookAlikeErrors + _rates.OtherCharacterError ? OtherCharacter(plate)
            : plate;
        return (text, text != plate);
    }

    /// <summary><paramref name="count"/> characters confused with a look-alike (B→8, O→0, ...), at different places.</summary>
    private string LookAlike(string plate, int count)
    {
        var chars = plate.ToCharArray();
        var places = Enumerable.Range(0, chars.Length).Where(i => LookAlikeGroups.Any(g => g.Contains(chars[i], StringComparison.Ordinal))).ToList();
        if (places.Count == 0)
        {
            return OtherCharacter(plate);
        }

        for (var n = 0; n < count && places.Count > 0; n++)
        {
            var place = places[_random.Next(places.Count)];
            places.Remove(place);
            var group = LookAlikeGroups.First(g => g.Contains(chars[place], StringComparison.Ordinal));
            var others = group.Where(c => c != chars[place]).ToList();
            chars[place] = others[_random.Next(others.Count)];
        }

        return new string(chars);
    }

    /// <summary>One character read as an unrelated one (not a look-alike).</summary>
    private string OtherCharacter(string plate)
    {
        var chars = plate.ToCharArray();
        var place = _random.Next(chars.Length);
        var options = Alphanumerics.Where(c => PlateSimilarity.SubstitutionCost(c, chars[place]) >= 1).ToList();
        chars[place] = options[_random.Next(options.Count)];
        return new string(chars);
    }

    /// <summary>The misread text laid out like the plate's raw text ("AB-C 12" with B misread: "A8-C 12").</summary>
    private static string FormatLike(string raw, string text)
    {
        if (PlateText.Normalize(raw).Length != text.Length)
        {
            return text;
        }

        var builder = new StringBuilder(raw.Length);
        var next = 0;
        foreach (var c in raw)
        {
            builder.Append(char.IsLetterOrDigit(c) ? text[next++] : c);
        }

        return builder.ToString();
    }
}
