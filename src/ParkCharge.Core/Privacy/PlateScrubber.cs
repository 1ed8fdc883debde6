using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

using ParkCharge.Core.Plates;

namespace ParkCharge.Core.Privacy;

/// <summary>
/// Replaces the plates of one stay (every text its reads had, look-alike misreads included) by the stay's
/// pseudonym (a misread by its variant, <see cref="Pseudonyms.Variant"/>) in stored text: a whole value that is one of the plates, a plate written raw inside a
/// sentence ("AB-12 CD left bay 3"), or a plate as a word. Only whole words: a plate that is part of a
/// longer one ("AB12" in "XAB12Y") is another plate and stays. JSON is read and every string in it
/// scrubbed, so escapes (<c>\u00D6</c>) are no hiding place.
/// </summary>
public sealed class PlateScrubber
{
    /// <summary>
    /// Shorter fragments (a camera's partial read "12") name nobody and would also match bay numbers and
    /// connector ids inside sentences; they are replaced only where they are the whole value.
    /// </summary>
    private const int MinWordLength = 4;

    private readonly Dictionary<string, string> _normalized = new(StringComparer.Ordinal);
    private readonly List<string> _raw = [];

    /// <param name="pseudonym">The stay's pseudonym, for its own plate.</param>
    /// <param name="plates">Every text the stay's plate had (raw or normalised; pseudonyms and unreadable ones are skipped).</param>
    /// <param name="pseudonymOf">The pseudonym of each normalised text: the stay's for its plate, a variant for a misread.</param>
    public PlateScrubber(string pseudonym, IEnumerable<string> plates, Func<string, string> pseudonymOf)
    {
        Pseudonym = pseudonym;
        foreach (var plate in plates)
        {
            if (string.IsNullOrWhiteSpace(plate) || Pseudonyms.IsPseudonym(plate))
            {
                continue;
            }

            var normalized = PlateText.Normalize(plate);
            if (normalized.Length == 0)
            {
                continue;
            }

            if (!_normalized.ContainsKey(normalized))
            {
                _normalized[normalized] = pseudonymOf(normalized);
            }

            if (normalized.Length >= MinWordLength && !_raw.Contains(plate))
            {
                _raw.Add(plate);
            }
        }

        // Longest first, so that "AB 12 CD" goes before "AB 12".
        _raw.Sort((a, b) => b.Length.CompareTo(a.Length));
    }

    public string Pseudonym { get; }

    /// <summary>The normalised plates this scrubber replaces.</summary>
    public IReadOnlyCollection<string> Plates => _normalized.Keys;

    public bool IsEmpty => _normalized.Count == 0;

    /// <summary>The text with every plate of the stay replaced; the same instance when nothing was.</summary>
    public string Text(string text)
    {
        if (IsEmpty || text.Length == 0)
        {
            return text;
        }

        if (text.Length <= 32 && _normalized.TryGetValue(PlateText.Normalize(text), out var whole))
        {
            return whole;
        }

        var result = text;
        foreach (var raw in _raw)
        {
            result = ReplaceWord(result, raw);
        }

        return ReplaceTokens(result);
    }

    /// <summary>A JSON document with every string value scrubbed (property names are left: they are ours).</summary>
    public string Json(string json)
    {
        if (IsEmpty || json.Length == 0)
        {
            return json;
        }

        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            return Text(json);
        }

        return Walk(root) ? root!.ToJsonString() : json;
    }

    private bool Walk(JsonNode? node)
    {
        var changed = false;
        switch (node)
        {
            case JsonObject o:
                foreach (var (name, value) in o.ToList())
                {
                    if (value is JsonValue v && v.TryGetValue<string>(out var s))
                    {
                        var scrubbed = Text(s);
                        if (!ReferenceEquals(scrubbed, s) && scrubbed != s)
                        {
                            o[name] = scrubbed;
                            changed = true;
                        }
                    }
                    else
                    {
                        changed |= Walk(value);
                    }
                }

                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    if (a[i] is JsonValue v && v.TryGetValue<string>(out var s))
                    {
                        var scrubbed = Text(s);
                        if (scrubbed != s)
                        {
                            a[i] = scrubbed;
                            changed = true;
                        }
                    }
                    else
                    {
                        changed |= Walk(a[i]);
                    }
                }

                break;
        }

        return changed;
    }

    private string ReplaceWord(string text, string word)
    {
        var at = text.IndexOf(word, StringComparison.Ordinal);
        if (at < 0)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length);
        var from = 0;
        while (at >= 0)
        {
            var before = at == 0 || !char.IsLetterOrDigit(text[at - 1]);
            var after = at + word.Length == text.Length || !char.IsLetterOrDigit(text[at + word.Length]);
            builder.Append(text, from, at - from);
            builder.Append(before && after ? _normalized[PlateText.Normalize(word)] : word);
            from = at + word.Length;
            at = text.IndexOf(word, from, StringComparison.Ordinal);
        }

        return builder.Append(text, from, text.Length - from).ToString();
    }

    private string ReplaceTokens(string text)
    {
        StringBuilder? builder = null;
        var i = 0;
        var copied = 0;
        while (i < text.Length)
        {
            if (!char.IsLetterOrDigit(text[i]))
            {
                i++;
                continue;
            }

            var start = i;
            while (i < text.Length && char.IsLetterOrDigit(text[i]))
            {
                i++;
            }

            var token = text[start..i];
            if (token.Length is >= MinWordLength and <= 32 && _normalized.TryGetValue(PlateText.Normalize(token), out var pseudonym))
            {
                builder ??= new StringBuilder(text.Length);
                builder.Append(text, copied, start - copied).Append(pseudonym);
                copied = i;
            }
        }

        return builder is null ? text : builder.Append(text, copied, text.Length - copied).ToString();
    }
}
