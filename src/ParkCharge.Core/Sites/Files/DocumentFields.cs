using System.Globalization;
using System.Text.RegularExpressions;

namespace ParkCharge.Core.Sites.Files;

/// <summary>
/// Reading fields of a document as the types they stand for, each mistake recorded with its path and
/// line and reading carried on (an operator fixing a file wants every mistake in one go); and the
/// wording of the messages. Site files (<see cref="SiteFileValidator"/>) and the simulator's scenario
/// files read their fields with it, so both say the same thing of the same mistake.
/// </summary>
/// <param name="environment">Where <c>${NAME}</c> references in values are looked up.</param>
public partial class DocumentFields(IReadOnlyDictionary<string, string?> environment)
{
    /// <summary>The problems found so far, in the order they were found.</summary>
    public IReadOnlyList<DocumentProblem> Errors => FoundErrors;

    /// <summary>What is worth saying but does not make the document invalid.</summary>
    public IReadOnlyList<DocumentProblem> Warnings => FoundWarnings;

    /// <summary>The errors, for a reader that rewrites the ones it found (a snake_case document's paths).</summary>
    protected List<DocumentProblem> FoundErrors { get; } = [];

    protected List<DocumentProblem> FoundWarnings { get; } = [];

    // --- reading typed fields ------------------------------------------------------------------------

    /// <summary>Unknown keys are errors, with the closest known one when it is a likely typo: a typo must not be silently ignored.</summary>
    public void CheckFields(DocumentMapping mapping, string path, string[] known, string what)
    {
        foreach (var entry in mapping.Entries.Where(e => !known.Contains(e.Key, StringComparer.Ordinal)))
        {
            var hint = Spelling.Closest(entry.Key, known) is { } closest ? $"; did you mean {closest}?" : $" (known: {string.Join(", ", known)})";
            Error(Paths.Field(path, entry.Key), $"unknown {what}{hint}", entry.Line);
        }
    }

    /// <summary>The items of a list of mappings, with their paths; items that are not mappings are reported and skipped.</summary>
    public IEnumerable<(DocumentMapping Item, string Path)> Items(DocumentMapping parent, string parentPath, string name, string what)
    {
        foreach (var (node, path) in Elements(parent, parentPath, name))
        {
            if (node is DocumentMapping mapping)
            {
                yield return (mapping, path);
            }
            else
            {
                Error(path, $"expected {what} (a mapping), got {Describe(node)}", node.Line);
            }
        }
    }

    public IEnumerable<(DocumentNode Item, string Path)> Elements(DocumentMapping parent, string parentPath, string name)
    {
        var path = Paths.Field(parentPath, name);
        switch (Field(parent, parentPath, name, required: false))
        {
            case null:
                yield break;
            case DocumentSequence list:
                for (var i = 0; i < list.Items.Count; i++)
                {
                    yield return (list.Items[i], Paths.Item(path, i));
                }

                break;
            case var other:
                Error(path, $"expected a list, got {Describe(other)}", other.Line);
                break;
        }
    }

    public DocumentMapping? Mapping(DocumentMapping parent, string parentPath, string name)
    {
        var node = Field(parent, parentPath, name, required: false);
        if (node is null or DocumentMapping)
        {
            return node as DocumentMapping;
        }

        Error(Paths.Field(parentPath, name), $"expected a mapping (name: value pairs), got {Describe(node)}", node.Line);
        return null;
    }

    /// <summary>A field's value; a missing field and an explicit null are the same (absent).</summary>
    public DocumentNode? Field(DocumentMapping mapping, string path, string name, bool required)
    {
        var entry = mapping.Find(name);
        if (entry is null || entry.Value is DocumentScalar { IsNull: true })
        {
            if (required)
            {
                Error(Paths.Field(path, name), "is required", entry?.Line ?? mapping.Line);
            }

            return null;
        }

        return entry.Value;
    }

    public string? Text(DocumentMapping mapping, string path, string name, bool required) =>
        Field(mapping, path, name, required) is { } node ? ScalarText(node, Paths.Field(path, name), "text") : null;

    /// <summary>
    /// A scalar's text with <c>${NAME}</c> replaced. Numbers are accepted where text is expected
    /// (<c>id: 42</c>) and text that reads as a number where a number is (<c>"${BAYS}"</c>): what
    /// matters is what the value says, not how it was quoted.
    /// </summary>
    public string? ScalarText(DocumentNode node, string path, string expected)
    {
        if (node is not DocumentScalar scalar)
        {
            Error(path, $"expected {expected}, got {Describe(node)}", node.Line);
            return null;
        }

        var problems = new List<string>();
        var text = EnvironmentReferences.Substitute(scalar.Value, environment, problems);
        foreach (var problem in problems)
        {
            Error(path, problem, scalar.Line);
        }

        return text;
    }

    public int? WholeNumber(DocumentMapping mapping, string path, string name, bool required)
    {
        if (Field(mapping, path, name, required) is not { } node || ScalarText(node, Paths.Field(path, name), "a whole number") is not { } text)
        {
            return null;
        }

        if (int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        // As JSON Schema counts integers: 2.0 is a whole number (some JSON writers only write doubles).
        if (YamlNumber().IsMatch(text.Trim()) && decimal.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            && number == decimal.Truncate(number) && number is >= int.MinValue and <= int.MaxValue)
        {
            return (int)number;
        }

        Error(Paths.Field(path, name), $"expected a whole number, got {Quote(text)}", node.Line);
        return null;
    }

    public double? Number(DocumentMapping mapping, string path, string name) =>
        Field(mapping, path, name, required: false) is { } node ? ScalarNumber(node, Paths.Field(path, name)) : null;

    public double? ScalarNumber(DocumentNode node, string path)
    {
        if (ScalarText(node, path, "a number") is not { } text)
        {
            return null;
        }

        if (YamlNumber().IsMatch(text.Trim()) && double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        Error(path, $"expected a number, got {Quote(text)}", node.Line);
        return null;
    }

    public bool? Boolean(DocumentMapping mapping, string path, string name)
    {
        if (Field(mapping, path, name, required: false) is not { } node || ScalarText(node, Paths.Field(path, name), "true or false") is not { } text)
        {
            return null;
        }

        if (bool.TryParse(text.Trim(), out var value))
        {
            return value;
        }

        Error(Paths.Field(path, name), $"expected true or false, got {Quote(text)}", node.Line);
        return null;
    }

    public TimeSpan? Duration(DocumentMapping mapping, string path, string name)
    {
        if (Field(mapping, path, name, required: false) is not { } node || ScalarText(node, Paths.Field(path, name), "a duration") is not { } text)
        {
            return null;
        }

        if (Durations.TryParse(text, out var duration))
        {
            return duration;
        }

        Error(Paths.Field(path, name), $"{Quote(text)} is not a duration (use {Durations.Notations})", node.Line);
        return null;
    }

    public T? Choice<T>(DocumentMapping mapping, string path, string name, (string Name, T Value)[] options, bool required)
        where T : struct
    {
        if (Field(mapping, path, name, required) is not { } node || ScalarText(node, Paths.Field(path, name), "text") is not { } text)
        {
            return null;
        }

        foreach (var (option, value) in options)
        {
            if (string.Equals(option, text.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        var names = options.Select(o => o.Name).ToList();
        Error(Paths.Field(path, name), $"{Quote(text)} is not one of {string.Join(", ", names)}{DidYouMean(text, names)}", node.Line);
        return null;
    }

    // --- messages -----------------------------------------------------------------------------------------

    public void Error(string path, string message, int? line) => FoundErrors.Add(new DocumentProblem(path, message, line));

    public void Warn(string path, string message, int? line) => FoundWarnings.Add(new DocumentProblem(path, message, line));

    public static int Line(DocumentNode node, string field) =>
        node is DocumentMapping mapping && mapping.Find(field) is { } entry ? entry.Line : node.Line;

    public static string DidYouMean(string written, IEnumerable<string> known) =>
        Spelling.Closest(written, known) is { } closest ? $"; did you mean {closest}?" : "";

    public static string Describe(DocumentNode node) => node switch
    {
        DocumentMapping => "a mapping",
        DocumentSequence => "a list",
        DocumentScalar { IsNull: true } => "nothing",
        DocumentScalar scalar => Quote(scalar.Value),
        _ => "something else",
    };

    public static string Quote(string text) => text.Length <= 40 ? $"'{text}'" : $"'{text[..37]}...'";

    public static string Show(double value) => value.ToString(CultureInfo.InvariantCulture);

    // YAML 1.2 core schema numbers; double.TryParse alone would also take "Infinity" and "1,5".
    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    protected static partial Regex YamlNumber();
}
