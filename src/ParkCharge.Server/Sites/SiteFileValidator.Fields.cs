using System.Globalization;
using System.Text.RegularExpressions;

using ParkCharge.Core.Charging;

namespace ParkCharge.Server.Sites;

/// <summary>
/// Reading fields of a site document as the types they stand for, each mistake recorded with its
/// path and line and reading carried on; and the wording of the messages.
/// </summary>
internal sealed partial class SiteFileValidator
{
    // --- reading typed fields ------------------------------------------------------------------------

    private void CheckFields(DocumentMapping mapping, string path, string[] known, string what)
    {
        foreach (var entry in mapping.Entries.Where(e => !known.Contains(e.Key, StringComparer.Ordinal)))
        {
            var hint = Spelling.Closest(entry.Key, known) is { } closest ? $"; did you mean {closest}?" : $" (known: {string.Join(", ", known)})";
            Error(Paths.Field(path, entry.Key), $"unknown {what}{hint}", entry.Line);
        }
    }

    /// <summary>The id of a lane, camera or EV bay: it appears in URLs and reports, so it is kept to what travels safely.</summary>
    private string? ItemId(DocumentMapping mapping, string path, string what)
    {
        var id = Text(mapping, path, "id", required: true);
        if (id is null)
        {
            return null;
        }

        var line = mapping.Find("id")!.Line;
        if (id.Length is 0 or > 64 || id.Any(c => c is <= ' ' or >= (char)127 or '/' or ':' or '?' or '#' or '%'))
        {
            Error(Paths.Field(path, "id"), $"'{id}' is not a valid {what} id (1 to 64 printable ASCII characters without spaces or / : ? # %)", line);
            return null;
        }

        Declare(id, path, line);
        return id;
    }

    private ChargerId? ChargerIdentity(DocumentMapping mapping, string path, string field, bool declare)
    {
        var id = Text(mapping, path, field, required: true);
        if (id is null)
        {
            return null;
        }

        var line = mapping.Find(field)!.Line;
        if (!ChargerId.IsValid(id))
        {
            Error(Paths.Field(path, field), $"'{id}' is not a charger id (1 to 48 printable ASCII characters without spaces or / : ? # %)", line);
            return null;
        }

        if (declare)
        {
            Declare(id, path, line);
        }

        return new ChargerId(id);
    }

    /// <summary>
    /// Claims an id for the item at <paramref name="path"/>. A clash is an error, but the item is
    /// still read (and its id still counts as declared) so that what refers to it is not wrongly
    /// reported missing.
    /// </summary>
    private void Declare(string id, string path, int line)
    {
        if (!_ids.TryAdd(id, path))
        {
            Error(Paths.Field(path, "id"), $"'{id}' is already the id of {_ids[id]}", line);
        }
    }

    /// <summary>The items of a list of mappings, with their paths; items that are not mappings are reported and skipped.</summary>
    private IEnumerable<(DocumentMapping Item, string Path)> Items(DocumentMapping parent, string parentPath, string name, string what)
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

    private IEnumerable<(DocumentNode Item, string Path)> Elements(DocumentMapping parent, string parentPath, string name)
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

    private DocumentMapping? Mapping(DocumentMapping parent, string parentPath, string name)
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
    private DocumentNode? Field(DocumentMapping mapping, string path, string name, bool required)
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

    private string? Text(DocumentMapping mapping, string path, string name, bool required) =>
        Field(mapping, path, name, required) is { } node ? ScalarText(node, Paths.Field(path, name), "text") : null;

    /// <summary>
    /// A scalar's text with <c>${NAME}</c> replaced. Numbers are accepted where text is expected
    /// (<c>id: 42</c>) and text that reads as a number where a number is (<c>"${BAYS}"</c>): what
    /// matters is what the value says, not how it was quoted.
    /// </summary>
    private string? ScalarText(DocumentNode node, string path, string expected)
    {
        if (node is not DocumentScalar scalar)
        {
            Error(path, $"expected {expected}, got {Describe(node)}", node.Line);
            return null;
        }

        var problems = new List<string>();
        var text = EnvironmentReferences.Substitute(scalar.Value, _environment, problems);
        foreach (var problem in problems)
        {
            Error(path, problem, scalar.Line);
        }

        return text;
    }

    private int? WholeNumber(DocumentMapping mapping, string path, string name, bool required)
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

    private double? Number(DocumentMapping mapping, string path, string name) =>
        Field(mapping, path, name, required: false) is { } node ? ScalarNumber(node, Paths.Field(path, name)) : null;

    private double? ScalarNumber(DocumentNode node, string path)
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

    private bool? Boolean(DocumentMapping mapping, string path, string name)
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

    private TimeSpan? Duration(DocumentMapping mapping, string path, string name)
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

    private T? Choice<T>(DocumentMapping mapping, string path, string name, (string Name, T Value)[] options, bool required)
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

    private void Error(string path, string message, int? line) => _errors.Add(new SiteFileProblem(path, message, line));

    private void Warn(string path, string message, int? line) => _warnings.Add(new SiteFileProblem(path, message, line));

    private static int Line(DocumentNode node, string field) =>
        node is DocumentMapping mapping && mapping.Find(field) is { } entry ? entry.Line : node.Line;

    private static string DidYouMean(string written, IEnumerable<string> known) =>
        Spelling.Closest(written, known) is { } closest ? $"; did you mean {closest}?" : "";

    private static string Describe(DocumentNode node) => node switch
    {
        DocumentMapping => "a mapping",
        DocumentSequence => "a list",
        DocumentScalar { IsNull: true } => "nothing",
        DocumentScalar scalar => Quote(scalar.Value),
        _ => "something else",
    };

    private static string Quote(string text) => text.Length <= 40 ? $"'{text}'" : $"'{text[..37]}...'";

    private static string Show(double value) => value.ToString(CultureInfo.InvariantCulture);

    // YAML 1.2 core schema numbers; double.TryParse alone would also take "Infinity" and "1,5".
    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex YamlNumber();
}
