namespace ParkCharge.Core.Sites.Files;

/// <summary>
/// One thing wrong (or worth a warning) in a document (a site file, a tariffs document, a scenario, a
/// price request): where it is, as a path into the document (<c>lanes[0].cameras[1].format</c>) and a
/// line, and what is wrong. Paths rather than just lines
/// because the same document also arrives as one-line JSON through the API.
/// </summary>
/// <param name="Path">The field's path in the document; empty for the document as a whole.</param>
/// <param name="Line">1-based line in the text, when the problem has one.</param>
public sealed record DocumentProblem(string Path, string Message, int? Line = null)
{
    /// <summary><c>path: message (line N)</c>, the form <c>parkcharge check-site</c> prints.</summary>
    public override string ToString()
    {
        var where = Line is { } line ? $" (line {line})" : "";
        return Path.Length == 0 ? $"{Message}{where}" : $"{Path}: {Message}{where}";
    }
}
