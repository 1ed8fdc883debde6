using System.Globalization;
using System.Xml.Linq;

namespace ParkCharge.Anpr.Mapped;

/// <summary>
/// A small, bounded subset of XPath 1.0 location paths for camera field maps: child steps only.
/// <list type="bullet">
/// <item><c>/Event/Plate</c> starts at the document (the first step names the root element); <c>Plate/Text</c>
/// (no leading <c>/</c>) starts at the current read;</item>
/// <item>a step is an element name, optionally with a prefix that is ignored (elements are matched by local
/// name, whatever their namespace), optionally with a position <c>[n]</c> counted from 1;</item>
/// <item>the last step may be an attribute, <c>@name</c>, or <c>text()</c> (the same as the element itself).</item>
/// </list>
/// A path selects every element it names (<c>/Event/Read</c> selects all reads); a field takes the first
/// selected node's text. No <c>//</c>, axes, predicates other than a position, or functions.
/// </summary>
public sealed record XmlPathExpression
{
    public const int MaxLength = 256;

    public const int MaxSteps = 32;

    private XmlPathExpression(string text, bool relative, IReadOnlyList<LocationStep> steps, string? attribute)
    {
        Text = text;
        IsRelative = relative;
        Steps = steps;
        Attribute = attribute;
    }

    public string Text { get; }

    public bool IsRelative { get; }

    public IReadOnlyList<LocationStep> Steps { get; }

    /// <summary>The attribute the path ends with, if any.</summary>
    public string? Attribute { get; }

    /// <param name="Position">From 1; null: every element of that name.</param>
    public sealed record LocationStep(string LocalName, int? Position);

    public static XmlPathExpression? Parse(string text, out string? error)
    {
        error = null;
        if (text.Length > MaxLength)
        {
            error = $"is longer than {MaxLength} characters";
            return null;
        }

        if (text.Length == 0 || text.Contains("//", StringComparison.Ordinal))
        {
            error = text.Length == 0 ? "is empty" : "'//' (descendants) is not supported: name each step, e.g. /Event/Plate/Text";
            return null;
        }

        var relative = text[0] != '/';
        var parts = (relative ? text : text[1..]).Split('/');
        var steps = new List<LocationStep>();
        string? attribute = null;
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i].Trim();
            var last = i == parts.Length - 1;
            if (steps.Count == MaxSteps)
            {
                error = $"has more than {MaxSteps} steps";
                return null;
            }

            if (last && part == "text()")
            {
                break;
            }

            if (part.StartsWith('@'))
            {
                if (!last || !IsName(part[1..]))
                {
                    error = last ? $"'{part}' is not an attribute name" : $"an attribute ('{part}') can only be the last step";
                    return null;
                }

                attribute = LocalName(part[1..]);
                break;
            }

            int? position = null;
            var name = part;
            if (part.EndsWith(']') && part.IndexOf('[', StringComparison.Ordinal) is var open and > 0)
            {
                name = part[..open];
                var inside = part[(open + 1)..^1].Trim();
                if (!int.TryParse(inside, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1 || inside.Length > 6)
                {
                    error = $"'[{inside}]' in step '{part}' is not a position (1, 2, ...); other predicates are not supported";
                    return null;
                }

                position = n;
            }

            if (!IsName(name))
            {
                error = $"'{part}' is not an element name (a step is Name, Name[n], @attribute or text())";
                return null;
            }

            steps.Add(new LocationStep(LocalName(name), position));
        }

        if (steps.Count == 0 && !relative)
        {
            error = "names no element";
            return null;
        }

        return new XmlPathExpression(text, relative, steps, attribute);
    }

    /// <summary>The text of the first node the path selects; null when it selects none.</summary>
    public string? Find(XElement root, XElement current) => Select(root, current).FirstOrDefault() is { } element
        ? Attribute is null ? element.Value : element.Attributes().FirstOrDefault(a => a.Name.LocalName == Attribute)?.Value
        : null;

    /// <summary>The elements the path selects (before its attribute), in document order.</summary>
    public IEnumerable<XElement> Select(XElement root, XElement current)
    {
        IEnumerable<XElement> nodes;
        var steps = Steps.AsEnumerable();
        if (IsRelative)
        {
            nodes = [current];
        }
        else
        {
            // The first step of an absolute path is the root element itself.
            var first = Steps[0];
            nodes = root.Name.LocalName == first.LocalName && first.Position is null or 1 ? [root] : [];
            steps = steps.Skip(1);
        }

        foreach (var step in steps)
        {
            nodes = nodes.SelectMany(n =>
            {
                var children = n.Elements().Where(e => e.Name.LocalName == step.LocalName);
                return step.Position is { } p ? children.Skip(p - 1).Take(1) : children;
            });
        }

        return nodes;
    }

    private static bool IsName(string name)
    {
        var local = LocalName(name);
        return local.Length > 0 && name.Count(c => c == ':') <= 1 && !name.StartsWith(':') && (char.IsLetter(local[0]) || local[0] == '_')
            && name.All(c => char.IsLetterOrDigit(c) || c is '_' or '-' or '.' or ':');
    }

    private static string LocalName(string name) => name[(name.IndexOf(':', StringComparison.Ordinal) + 1)..];

    public override string ToString() => Text;
}
