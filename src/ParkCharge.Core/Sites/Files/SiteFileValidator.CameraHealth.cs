using System.Globalization;

namespace ParkCharge.Core.Sites.Files;

/// <summary>
/// The site's <c>cameraHealth</c> section: when a camera is silent, its clock skewed or its reads degraded. Every
/// field has a default (<see cref="CameraHealthSettings"/>).
/// </summary>
public sealed partial class SiteFileValidator
{
    private const string CameraHealthPath = "cameraHealth";

    private static readonly string[] CameraHealthFields =
        ["silentAfter", "openingHours", "silentAmidTraffic", "silentAmidCharges", "minimumSilence", "maxClockOffset", "degradedShare", "qualityWindow"];

    private static readonly string[] OpeningHoursFields = ["from", "to"];

    private CameraHealthSettings CameraHealth(DocumentMapping site)
    {
        var defaults = new CameraHealthSettings();
        if (Mapping(site, "", CameraHealthPath) is not { } health)
        {
            return defaults;
        }

        CheckFields(health, CameraHealthPath, CameraHealthFields, "setting");
        return new CameraHealthSettings
        {
            SilentAfter = PositiveDuration(health, "silentAfter") ?? defaults.SilentAfter,
            OpeningHours = OpeningHoursOf(health),
            SilentAmidTraffic = Count(health, "silentAmidTraffic") ?? defaults.SilentAmidTraffic,
            SilentAmidCharges = Count(health, "silentAmidCharges") ?? defaults.SilentAmidCharges,
            MinimumSilence = PositiveDuration(health, "minimumSilence") ?? defaults.MinimumSilence,
            MaxClockOffset = PositiveDuration(health, "maxClockOffset") ?? defaults.MaxClockOffset,
            DegradedShare = Share(health, "degradedShare") ?? defaults.DegradedShare,
            QualityWindow = QualityWindow(health) ?? defaults.QualityWindow,
        };
    }

    private TimeSpan? PositiveDuration(DocumentMapping health, string name)
    {
        var duration = Duration(health, CameraHealthPath, name);
        if (duration <= TimeSpan.Zero)
        {
            Error(Paths.Field(CameraHealthPath, name), $"must be longer than zero (it is {Durations.Format(duration.Value)})", health.Find(name)!.Line);
            return null;
        }

        return duration;
    }

    /// <summary>A count of vehicles and charges; 0 switches the rule off.</summary>
    private int? Count(DocumentMapping health, string name)
    {
        var count = WholeNumber(health, CameraHealthPath, name, required: false);
        if (count < 0)
        {
            Error(Paths.Field(CameraHealthPath, name), $"must not be negative (it is {count}; 0 switches the rule off)", health.Find(name)!.Line);
            return null;
        }

        return count;
    }

    private double? Share(DocumentMapping health, string name)
    {
        var share = Number(health, CameraHealthPath, name);
        if (share is <= 0 or > 1)
        {
            Error(Paths.Field(CameraHealthPath, name), $"is a fraction above 0 and at most 1 (it is {share.Value.ToString(CultureInfo.InvariantCulture)})", health.Find(name)!.Line);
            return null;
        }

        return share;
    }

    private int? QualityWindow(DocumentMapping health)
    {
        var window = WholeNumber(health, CameraHealthPath, "qualityWindow", required: false);
        if (window is < 2 or > 1000)
        {
            Error(Paths.Field(CameraHealthPath, "qualityWindow"), $"must be from 2 to 1000 reads (it is {window})", health.Find("qualityWindow")!.Line);
            return null;
        }

        return window;
    }

    private OpeningHours? OpeningHoursOf(DocumentMapping health)
    {
        const string path = CameraHealthPath + ".openingHours";
        if (Mapping(health, CameraHealthPath, "openingHours") is not { } hours)
        {
            return null;
        }

        CheckFields(hours, path, OpeningHoursFields, "field");
        var errors = FoundErrors.Count;
        Field(hours, path, "from", required: true);
        Field(hours, path, "to", required: true);
        var from = TimeOfDay(hours, path, "from", endOfDay: false);
        var to = TimeOfDay(hours, path, "to", endOfDay: true); // 24:00, the end of the day, reads as null
        if (FoundErrors.Count > errors)
        {
            return null;
        }

        // From equal to to (00:00 to 24:00) is the whole day.
        return new OpeningHours(from ?? TimeOnly.MinValue, to ?? TimeOnly.MinValue);
    }
}
