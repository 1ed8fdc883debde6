using YamlDotNet.Core;
using YamlDotNet.Core.Events;

using YamlScalar = YamlDotNet.Core.Events.Scalar;

namespace ParkCharge.Server.Sites;

/// <summary>
/// Reads YAML (and so JSON) into a <see cref="DocumentNode"/> tree with YamlDotNet's event parser.
/// The parser, not the object deserializer: we need every node's line, and we want to report
/// duplicate keys and wrong shapes ourselves, all of them, instead of failing on the first.
/// </summary>
internal static class DocumentReader
{
    /// <summary>Deeper than any site document needs; a bound so a hostile body cannot exhaust the stack.</summary>
    private const int MaxDepth = 32;

    private const string MergeKey = "<<";

    /// <summary>The document's root, or null when there is none to validate (the problems say why).</summary>
    public static DocumentNode? Read(string text, List<SiteFileProblem> errors)
    {
        var parser = new Parser(new StringReader(text));
        try
        {
            parser.Consume<StreamStart>();
            if (parser.Accept<StreamEnd>(out _))
            {
                errors.Add(new SiteFileProblem("", "the file is empty"));
                return null;
            }

            parser.Consume<DocumentStart>();
            var root = new Reading(parser, errors).Node("", depth: 0);
            parser.Consume<DocumentEnd>();
            if (parser.Accept<DocumentStart>(out var second))
            {
                errors.Add(new SiteFileProblem("", "a site file holds one site; a second document starts here", (int)second.Start.Line));
            }

            return root;
        }
        catch (YamlException e)
        {
            errors.Add(new SiteFileProblem("", $"not valid YAML or JSON: {e.Message}", e.Start.Line > 0 ? (int)e.Start.Line : null));
            return null;
        }
        catch (TooDeepException e)
        {
            errors.Add(new SiteFileProblem(e.Path, $"nested more than {MaxDepth} levels deep; a site document is much flatter", e.Line));
            return null;
        }
    }

    private sealed class Reading(IParser parser, List<SiteFileProblem> errors)
    {
        private readonly Dictionary<string, DocumentNode> _anchors = new(StringComparer.Ordinal);

        public DocumentNode Node(string path, int depth)
        {
            var start = parser.Current!;
            var line = (int)start.Start.Line;
            if (depth > MaxDepth)
            {
                throw new TooDeepException(path, line);
            }

            DocumentNode node;
            switch (start)
            {
                case AnchorAlias alias:
                    parser.MoveNext();
                    if (_anchors.TryGetValue(alias.Value.Value, out var target))
                    {
                        return target;
                    }

                    errors.Add(new SiteFileProblem(path, $"alias *{alias.Value.Value} refers to no anchor defined before it", line));
                    return new DocumentScalar("", IsPlain: true, line);
                case YamlScalar scalar:
                    parser.MoveNext();
                    // Quoted, block and explicitly tagged (!!str) scalars are text; only plain ones may be null.
                    node = new DocumentScalar(scalar.Value, scalar.Style is ScalarStyle.Plain or ScalarStyle.Any && scalar.Tag.IsEmpty, line);
                    break;
                case SequenceStart:
                    parser.MoveNext();
                    var items = new List<DocumentNode>();
                    while (!parser.TryConsume<SequenceEnd>(out _))
                    {
                        items.Add(Node(Paths.Item(path, items.Count), depth + 1));
                    }

                    node = new DocumentSequence(items, line);
                    break;
                case MappingStart:
                    parser.MoveNext();
                    node = Mapping(path, line, depth);
                    break;
                default:
                    throw new YamlException(start.Start, start.End, $"unexpected {start.GetType().Name}");
            }

            if (start is NodeEvent { Anchor.IsEmpty: false } anchored)
            {
                _anchors[anchored.Anchor.Value] = node;
            }

            return node;
        }

        private DocumentMapping Mapping(string path, int line, int depth)
        {
            var entries = new List<DocumentEntry>();
            var merged = new List<DocumentEntry>();
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var keyEvent = parser.Current!;
                var keyLine = (int)keyEvent.Start.Line;
                if (keyEvent is not YamlScalar keyScalar)
                {
                    errors.Add(new SiteFileProblem(path, "keys must be plain names, not lists or mappings", keyLine));
                    Node(path, depth + 1);
                    Node(path, depth + 1);
                    continue;
                }

                parser.MoveNext();
                var key = keyScalar.Value;
                var valuePath = Paths.Field(path, key);
                var value = Node(valuePath, depth + 1);
                if (key == MergeKey && keyScalar.Style is ScalarStyle.Plain)
                {
                    // YAML merge keys (<<: *defaults) copy another mapping's entries; the mapping's own keys win.
                    Merge(value, merged, valuePath);
                    continue;
                }

                if (entries.FirstOrDefault(e => e.Key == key) is { } first)
                {
                    errors.Add(new SiteFileProblem(valuePath, $"appears twice in one mapping (first on line {first.Line})", keyLine));
                    continue;
                }

                entries.Add(new DocumentEntry(key, value, keyLine));
            }

            entries.AddRange(merged.Where(m => entries.All(e => e.Key != m.Key)).DistinctBy(m => m.Key));
            return new DocumentMapping(entries, line);
        }

        private void Merge(DocumentNode value, List<DocumentEntry> merged, string path)
        {
            switch (value)
            {
                case DocumentMapping mapping:
                    merged.AddRange(mapping.Entries);
                    break;
                case DocumentSequence sequence when sequence.Items.All(i => i is DocumentMapping):
                    merged.AddRange(sequence.Items.Cast<DocumentMapping>().SelectMany(m => m.Entries));
                    break;
                default:
                    errors.Add(new SiteFileProblem(path, "a merge key (<<) takes a mapping or a list of mappings", value.Line));
                    break;
            }
        }
    }

    private sealed class TooDeepException(string path, int line) : Exception
    {
        public string Path { get; } = path;

        public int Line { get; } = line;
    }
}

/// <summary>How problems name a place in a site document: <c>lanes[0].cameras[1].format</c>.</summary>
internal static class Paths
{
    public static string Field(string parent, string name) => parent.Length == 0 ? name : $"{parent}.{name}";

    public static string Item(string parent, int index) => $"{parent}[{index}]";
}
