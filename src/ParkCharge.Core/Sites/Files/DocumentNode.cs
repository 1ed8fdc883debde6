namespace ParkCharge.Core.Sites.Files;

/// <summary>
/// A site document as read, before it means anything: mappings, lists and scalars, each with the
/// line it starts on, so every problem found later can say where it is. YAML and JSON read into
/// the same tree. Reading text into it is the edges' work (ParkCharge.Documents reads YAML and JSON);
/// what the tree means is decided here, in Core, by rules that return problems, never exceptions.
/// </summary>
public abstract record DocumentNode(int Line);

/// <summary>A value as written. Whether it is text, a number or a truth value is decided by the field that reads it.</summary>
/// <param name="IsPlain">Written without quotes (YAML plain style); only then do <c>null</c>, <c>~</c> and nothing at all mean "no value".</param>
public sealed record DocumentScalar(string Value, bool IsPlain, int Line) : DocumentNode(Line)
{
    public bool IsNull => IsPlain && Value is "" or "~" or "null" or "Null" or "NULL";
}

public sealed record DocumentSequence(IReadOnlyList<DocumentNode> Items, int Line) : DocumentNode(Line);

public sealed record DocumentMapping(IReadOnlyList<DocumentEntry> Entries, int Line) : DocumentNode(Line)
{
    // Keys are unique (the reader keeps the first of duplicates); a dictionary keeps look-ups constant
    // whatever a hostile mapping holds.
    private Dictionary<string, DocumentEntry> ByKey => field ??= Entries.ToDictionary(e => e.Key, StringComparer.Ordinal);

    public DocumentEntry? Find(string key) => ByKey.GetValueOrDefault(key);
}

/// <param name="Line">The line of the key (the value may start on a later one).</param>
public sealed record DocumentEntry(string Key, DocumentNode Value, int Line);

/// <summary>How problems name a place in a document: <c>lanes[0].cameras[1].format</c>.</summary>
public static class Paths
{
    public static string Field(string parent, string name) => parent.Length == 0 ? name : $"{parent}.{name}";

    public static string Item(string parent, int index) => $"{parent}[{index}]";
}
