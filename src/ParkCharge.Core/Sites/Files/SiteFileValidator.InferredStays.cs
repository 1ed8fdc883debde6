namespace ParkCharge.Core.Sites.Files;

/// <summary>
/// The site's <c>inferredStays</c> section: when a stay whose gate read was missed is opened or closed from other
/// evidence. Every field has a default (<see cref="InferredStaySettings"/>).
/// </summary>
public sealed partial class SiteFileValidator
{
    private const string InferredStaysPath = "inferredStays";

    private static readonly string[] InferredStaysFields = ["enabled", "lookBack", "leftBayGrace", "openLimit", "billInferredEntry"];

    /// <summary>No evidence older than a week says when a vehicle came in; no grace or limit that long closes anything useful.</summary>
    private static readonly TimeSpan LongestInference = TimeSpan.FromDays(7);

    private InferredStaySettings InferredStays(DocumentMapping site)
    {
        var defaults = new InferredStaySettings();
        if (Mapping(site, "", InferredStaysPath) is not { } section)
        {
            return defaults;
        }

        CheckFields(section, InferredStaysPath, InferredStaysFields, "setting");
        return new InferredStaySettings
        {
            Enabled = Boolean(section, InferredStaysPath, "enabled") ?? defaults.Enabled,
            LookBack = InferenceDuration(section, "lookBack") ?? defaults.LookBack,
            LeftBayGrace = InferenceDuration(section, "leftBayGrace") ?? defaults.LeftBayGrace,
            OpenLimit = InferenceDuration(section, "openLimit") ?? defaults.OpenLimit,
            BillInferredEntry = Boolean(section, InferredStaysPath, "billInferredEntry") ?? defaults.BillInferredEntry,
        };
    }

    private TimeSpan? InferenceDuration(DocumentMapping section, string name)
    {
        var duration = Duration(section, InferredStaysPath, name);
        if (duration is { } d && (d <= TimeSpan.Zero || d > LongestInference))
        {
            Error(Paths.Field(InferredStaysPath, name), $"must be longer than zero and at most {Durations.Format(LongestInference)} (it is {Durations.Format(d)})", section.Find(name)!.Line);
            return null;
        }

        return duration;
    }
}
