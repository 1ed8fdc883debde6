using System.Collections.Frozen;
using System.Globalization;

namespace ParkCharge.Anpr;

/// <summary>
/// ISO 3166-1 country codes. Cameras that give the plate's country as alpha-3 (AXIS License Plate Verifier:
/// <c>SWE</c>, <c>DEU</c>) are turned into the lower-case alpha-2 codes other formats use (Plate Recognizer's
/// <c>de</c>), so one vehicle's region reads the same whichever camera saw it.
/// </summary>
internal static class CountryCodes
{
    private static readonly Lazy<FrozenDictionary<string, string>> ByAlpha3 = new(() =>
    {
        var codes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var culture in CultureInfo.GetCultures(CultureTypes.SpecificCultures))
        {
            try
            {
                var region = new RegionInfo(culture.Name);
                if (region.ThreeLetterISORegionName.Length == 3 && region.TwoLetterISORegionName.Length == 2)
                {
                    codes.TryAdd(region.ThreeLetterISORegionName, region.TwoLetterISORegionName.ToLowerInvariant());
                }
            }
            catch (ArgumentException)
            {
                // A culture without a region (none among specific cultures, but the data is the platform's).
            }
        }

        return codes.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    });

    /// <summary>The alpha-2 code (lower case) of an alpha-3 code; any other text as it came (trimmed); null for none.</summary>
    public static string? Alpha2(string? code)
    {
        var text = code?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        return text.Length == 3 && ByAlpha3.Value.TryGetValue(text, out var alpha2) ? alpha2 : text;
    }
}
