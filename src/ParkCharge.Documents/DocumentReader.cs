using ParkCharge.Core.Sites.Files;

using YamlDotNet.Core;
using YamlDotNet.Core.Events;

using YamlScalar = YamlDotNet.Core.Events.Scalar;

namespace ParkCharge.Documents;

/// <summary>
/// Reads YAML (and so JSON) into a <see cref="DocumentNode"/> tree with YamlDotNet's event parser.
/// The parser, not the object deserializer: we need every node's line, and we want to report
/// duplicate keys and wrong shapes ourselves, all of them, instead of failing on the first.
/// </summary>
public static class DocumentReader
{
    /// <summary>Deeper than any site document needs; a bound so a hostile body cannot exhaust the stack.</summary>
    private const int MaxDepth = 32;

    /// <summary>
    /// Nodes in the document as validated, an alias counting as a copy of what it refers to (so nested aliases
    /// cannot make a small text a huge tree, "billion laughs"). A site with hundreds of bays has a few thousand.
    /// </summary>
    public const int MaxNodes = 200_000;

    /// <summary>Entries of one mapping: a site document's mappings have at most a few dozen known keys.</summary>
    public const int MaxEntries = 1_000;

    /// <summary>Items of one list: thousands of permits, far fewer bays, cameras or tariff elements.</summary>
    public const int MaxItems = 20_000;

    /// <summary>The longest text of one value (names, notes, keys; none needs more).</summary>
    public const int MaxTextLength = 4_096;

    /// <summary>The longest key of a mapping: field names, and ids where a mapping is keyed by them.</summary>
    public const int MaxKeyLength = 256;

    private const string MergeKey = "<<";

    /// <summary>The document's root, or null when there is none to validate (the problems say why).</summary>
    public static DocumentNode? Read(string text, List<DocumentProblem> errors)
    {
        var parser = new Parser(new StringReader(text));
        try
        {
            parser.Consume<StreamStart>();
            if (parser.Accept<StreamEnd>(out _))
            {
                errors.Add(new DocumentProblem("", "the file is empty"));
                return null;
            }

            parser.Consume<DocumentStart>();
            var root = new Reading(parser, errors).Node("", depth: 0);
            parser.Consume<DocumentEnd>();
            if (parser.Accept<DocumentStart>(out var second))
            {
                errors.Add(new DocumentProblem("", "a site file holds one site; a second document starts here", (int)second.Start.Line));
            }

            return root;
        }
        catch (YamlException e)
        {
            errors.Add(new DocumentProblem("", $"not valid YAML or JSON: {e.Message}", e.Start.Line > 0 ? (int)e.Start.Line : null));
            return null;
        }
        catch (TooDeepException e)
        {
            errors.Add(new DocumentProblem(e.Path, $"nested more than {MaxDepth} levels deep; a site document is much flatter", e.Line));
            return null;
        }
        catch (TooLargeException e)
        {
            errors.Add(new DocumentProblem("", $"the document expands to more than {MaxNodes} values (an alias counts as a copy of what it names); a site document is much smaller", e.Line));
            return null;
        }
    }

    private sealed class Reading(IParser parser, List<DocumentProblem> errors)
    {
        private readonly Dictionary<string, (DocumentNode Node, int Size)> _anchors = new(StringComparer.Ordinal);
        private int _nodes;

        public DocumentNode Node(string path, int depth)
        {
            var start = parser.Current!;
            var line = (int)start.Start.Line;
            if (depth > MaxDepth)
            {
                throw new TooDeepException(path, line);
            }

            var before = _nodes;
            Count(1, line);
            DocumentNode node;
            switch (start)
            {
                case AnchorAlias alias:
                    parser.MoveNext();
                    if (_anchors.TryGetValue(alias.Value.Value, out var target))
                    {
                        Count(target.Size, line);
                        return target.Node;
                    }

                    errors.Add(new DocumentProblem(path, $"alias *{alias.Value.Value} refers to no anchor defined before it", line));
                    return new DocumentScalar("", IsPlain: true, line);
                case YamlScalar scalar:
                    parser.MoveNext();
                    var text = scalar.Value;
                    if (text.Length > MaxTextLength)
                    {
                        // Kept shortened, so that what reads it later costs nothing much either; never quoted back.
                        errors.Add(new DocumentProblem(path, $"is {text.Length} characters long; a value has at most {MaxTextLength}", line));
                        text = text[..MaxTextLength];
                    }

                    if (text.Contains('\0', StringComparison.Ordinal))
                    {
                        // No value needs it, and PostgreSQL cannot store it.
                        errors.Add(new DocumentProblem(path, "contains the NUL character (U+0000)", line));
                        text = text.Replace("\0", "", StringComparison.Ordinal);
                    }

                    // Quoted, block and explicitly tagged (!!str) scalars are text; only plain ones may be null.
                    node = new DocumentScalar(text, scalar.Style is ScalarStyle.Plain or ScalarStyle.Any && scalar.Tag.IsEmpty, line);
                    break;
                case SequenceStart:
                    parser.MoveNext();
                    var items = new List<DocumentNode>();
                    var count = 0;
                    while (!parser.TryConsume<SequenceEnd>(out _))
                    {
                        var item = Node(Paths.Item(path, count), depth + 1);
                        if (++count <= MaxItems)
                        {
                            items.Add(item);
                        }
                        else if (count == MaxItems + 1)
                        {
                            errors.Add(new DocumentProblem(path, $"has more than {MaxItems} items", item.Line));
                        }
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
                _anchors[anchored.Anchor.Value] = (node, _nodes - before);
            }

            return node;
        }

        private void Count(int nodes, int line)
        {
            _nodes += nodes;
            if (_nodes > MaxNodes)
            {
                throw new TooLargeException(line);
            }
        }

        private DocumentMapping Mapping(string path, int line, int depth)
        {
            var entries = new List<DocumentEntry>();
            var seen = new Dictionary<string, DocumentEntry>(StringComparer.Ordinal);
            var merged = new List<DocumentEntry>();
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var keyEvent = parser.Current!;
                var keyLine = (int)keyEvent.Start.Line;
                if (keyEvent is not YamlScalar keyScalar)
                {
                    errors.Add(new DocumentProblem(path, "keys must be plain names, not lists or mappings", keyLine));
                    Node(path, depth + 1);
                    Node(path, depth + 1);
                    continue;
                }

                parser.MoveNext();
                var key = keyScalar.Value.Replace("\0", "\\0", StringComparison.Ordinal);
                if (key.Length > MaxKeyLength)
                {
                    errors.Add(new DocumentProblem(path, $"has a key of {key.Length} characters; keys are names of at most {MaxKeyLength}", keyLine));
                    Node(path, depth + 1);
                    continue;
                }

                var valuePath = Paths.Field(path, key);
                var value = Node(valuePath, depth + 1);
                if (key == MergeKey && keyScalar.Style is ScalarStyle.Plain)
                {
                    // YAML merge keys (<<: *defaults) copy another mapping's entries; the mapping's own keys win.
                    Merge(value, merged, valuePath);
                    continue;
                }

                if (seen.TryGetValue(key, out var first))
                {
                    errors.Add(new DocumentProblem(valuePath, $"appears twice in one mapping (first on line {first.Line})", keyLine));
                    continue;
                }

                var entry = new DocumentEntry(key, value, keyLine);
                seen[key] = entry;
                if (entries.Count < MaxEntries)
                {
                    entries.Add(entry);
                }
                else if (seen.Count == MaxEntries + 1)
                {
                    errors.Add(new DocumentProblem(path, $"has more than {MaxEntries} keys", keyLine));
                }
            }

            entries.AddRange(merged.Where(m => !seen.ContainsKey(m.Key)).DistinctBy(m => m.Key));
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
                    errors.Add(new DocumentProblem(path, "a merge key (<<) takes a mapping or a list of mappings", value.Line));
                    break;
            }
        }
    }

    private sealed class TooLargeException(int line) : Exception
    {
        public int Line { get; } = line;
    }

    private sealed class TooDeepException(string path, int line) : Exception
    {
        public string Path { get; } = path;

        public int Line { get; } = line;
    }
}
