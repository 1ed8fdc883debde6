using ParkCharge.Core.Sites.Files;
using ParkCharge.Documents;

namespace ParkCharge.Core.Tests.SiteFiles;

/// <summary>A small valid site file with one section added after it (the section starts on line 8), validated.</summary>
internal static class SiteFileSection
{
    public static SiteFileResult Validate(string? section)
    {
        var text = """
            id: garage
            name: Garage
            timeZone: Europe/Berlin
            currency: EUR
            lanes:
              - { id: in, direction: entry, cameras: [{ id: gate-in, key: "gate-in-key-0123456789" }] }

            """ + (section ?? "");
        var read = new List<DocumentProblem>();
        var root = DocumentReader.Read(text, read);
        Assert.Empty(read);
        return SiteFileValidator.Validate(root!, new SiteFileContext { Environment = new Dictionary<string, string?>(), HashCameraKey = k => k });
    }
}
