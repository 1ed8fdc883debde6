namespace ParkCharge.Server.Sites;

/// <summary>
/// A site document as read, before it means anything: mappings, lists and scalars, each with the
/// line it starts on, so every problem found later can say where it is. YAML and JSON read into
/// the same tree.
/// </summary>
internal abstract record DocumentNode(int Line);

/// <summary>A value as written. Whether it is text, a number or a truth value is decided by the field that reads it.</summary>
/// <param name="IsPlain">Written without quotes (YAML plain style); only then do <c>null</c>, <c>~</c> and nothing at all mean "no value".</param>
internal sealed record DocumentScalar(string Value, bool IsPlain, int Line) : DocumentNode(Line)
{
    public bool IsNull => IsPlain && Value is "" or "~" or "null" or "Null" or "NULL";
}

internal sealed record DocumentSequence(IReadOnlyList<DocumentNode> Items, int Line) : DocumentNode(Line);

internal sealed record DocumentMapping(IReadOnlyList<DocumentEntry> Entries, int Line) : DocumentNode(Line)
{
    // Keys are unique (the reader keeps the first of duplicates); a dictionary keeps look-ups constant
    // whatever a hostile mapping holds.
    private Dictionary<string, DocumentEntry> ByKey => field ??= Entries.ToDictionary(e => e.Key, StringComparer.Ordinal);

    public DocumentEntry? Find(string key) => ByKey.GetValueOrDefault(key);
}

/// <param name="Line">The line of the key (the value may start on a later one).</param>
internal sealed record DocumentEntry(string Key, DocumentNode Value, int Line);
