using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ParkCharge.Anpr.Mapped;

/// <summary>
/// A small, bounded subset of JSONPath (RFC 9535) for camera field maps: a root, <c>$</c> (the document) or
/// <c>@</c> (the current read), followed by child segments only:
/// <list type="bullet">
/// <item><c>.name</c> (letters, digits and <c>_</c>, not starting with a digit) or <c>['any name']</c> /
/// <c>["any name"]</c> (with <c>\'</c>, <c>\"</c> and <c>\\</c> escapes);</item>
/// <item><c>[n]</c>: the n-th array element from 0, or from the end when negative (<c>[-1]</c> is the last);</item>
/// <item><c>[*]</c> or <c>.*</c>: every element of an array (or member of an object), only where a map
/// selects several reads.</item>
/// </list>
/// No descendant segments (<c>..</c>), filters, slices or functions: each step is one look-up, so evaluating a
/// path costs at most <see cref="MaxSegments"/> look-ups per read, whatever the document.
/// </summary>
public sealed record JsonPathExpression
{
    public const int MaxLength = 256;

    public const int MaxSegments = 32;

    private JsonPathExpression(string text, bool relative, IReadOnlyList<Segment> segments)
    {
        Text = text;
        IsRelative = relative;
        Segments = segments;
    }

    public string Text { get; }

    /// <summary>Starts at the current read (<c>@</c>) rather than the document (<c>$</c>).</summary>
    public bool IsRelative { get; }

    public IReadOnlyList<Segment> Segments { get; }

    public bool HasWildcard => Segments.Any(s => s.Kind == SegmentKind.Wildcard);

    public enum SegmentKind
    {
        Name,
        Index,
        Wildcard,
    }

    public sealed record Segment(SegmentKind Kind, string? Name = null, int Index = 0);

    /// <summary>The expression, or null and what is wrong with it (with the character position, from 1).</summary>
    public static JsonPathExpression? Parse(string text, out string? error)
    {
        error = null;
        if (text.Length > MaxLength)
        {
            error = $"is longer than {MaxLength} characters";
            return null;
        }

        if (text.Length == 0 || text[0] is not ('$' or '@'))
        {
            error = "a JSON path starts with $ (the document) or @ (the current read), e.g. $.plate.text";
            return null;
        }

        var segments = new List<Segment>();
        var at = 1;
        while (at < text.Length)
        {
            if (segments.Count == MaxSegments)
            {
                error = $"has more than {MaxSegments} steps";
                return null;
            }

            if (text[at] == '.')
            {
                if (at + 1 < text.Length && text[at + 1] == '.')
                {
                    error = $"'..' (descendants) is not supported, at character {at + 1}: name each step";
                    return null;
                }

                if (at + 1 < text.Length && text[at + 1] == '*')
                {
                    segments.Add(new Segment(SegmentKind.Wildcard));
                    at += 2;
                    continue;
                }

                var start = ++at;
                while (at < text.Length && (char.IsAsciiLetterOrDigit(text[at]) || text[at] == '_'))
                {
                    at++;
                }

                if (at == start || char.IsAsciiDigit(text[start]))
                {
                    error = $"expected a member name after '.' at character {start}; write ['name'] for names with other characters";
                    return null;
                }

                segments.Add(new Segment(SegmentKind.Name, text[start..at]));
                continue;
            }

            if (text[at] != '[')
            {
                error = $"unexpected '{text[at]}' at character {at + 1}; steps are .name, ['name'], [n] or [*]";
                return null;
            }

            at++;
            if (at < text.Length && text[at] is '\'' or '"')
            {
                var quote = text[at++];
                var name = new StringBuilder();
                while (at < text.Length && text[at] != quote)
                {
                    if (text[at] == '\\' && at + 1 < text.Length && text[at + 1] is '\'' or '"' or '\\')
                    {
                        at++;
                    }

                    name.Append(text[at++]);
                }

                if (at + 1 >= text.Length || text[at] != quote || text[at + 1] != ']')
                {
                    error = $"the quoted name that starts at character {at - name.Length} is not closed with {quote}]";
                    return null;
                }

                segments.Add(new Segment(SegmentKind.Name, name.ToString()));
                at += 2;
                continue;
            }

            var close = text.IndexOf(']', at);
            if (close < 0)
            {
                error = $"'[' at character {at} is not closed";
                return null;
            }

            var inside = text[at..close].Trim();
            if (inside == "*")
            {
                segments.Add(new Segment(SegmentKind.Wildcard));
            }
            else if (int.TryParse(inside, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var index) && inside.Length <= 6)
            {
                segments.Add(new Segment(SegmentKind.Index, Index: index));
            }
            else
            {
                error = $"'[{inside}]' at character {at} is not an index, a quoted name or [*] (filters and slices are not supported)";
                return null;
            }

            at = close + 1;
        }

        return new JsonPathExpression(text, text[0] == '@', segments);
    }

    /// <summary>The value at the path, or default (<see cref="JsonValueKind.Undefined"/>) when there is none. Wildcards take the first.</summary>
    public JsonElement Find(JsonElement root, JsonElement current) => Select(root, current).FirstOrDefault();

    /// <summary>Every value the path selects (one at most without a wildcard), in document order.</summary>
    public IEnumerable<JsonElement> Select(JsonElement root, JsonElement current)
    {
        IEnumerable<JsonElement> nodes = [IsRelative ? current : root];
        foreach (var segment in Segments)
        {
            nodes = segment.Kind switch
            {
                SegmentKind.Name => nodes.SelectMany(n => n.ValueKind == JsonValueKind.Object && n.TryGetProperty(segment.Name!, out var child) ? [child] : Array.Empty<JsonElement>()),
                SegmentKind.Index => nodes.SelectMany(n => Element(n, segment.Index)),
                _ => nodes.SelectMany(Children),
            };
        }

        return nodes;
    }

    private static IEnumerable<JsonElement> Element(JsonElement node, int index)
    {
        if (node.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        var length = node.GetArrayLength();
        var at = index < 0 ? length + index : index;
        return at >= 0 && at < length ? [node[at]] : [];
    }

    private static IEnumerable<JsonElement> Children(JsonElement node) => node.ValueKind switch
    {
        JsonValueKind.Array => node.EnumerateArray(),
        JsonValueKind.Object => node.EnumerateObject().Select(p => p.Value),
        _ => [],
    };

    public override string ToString() => Text;
}
