namespace ParkCharge.Server.Tests.Docs;

/// <summary>One example of a guide: the block after a <c>&lt;!-- example: kind arguments --&gt;</c> mark.</summary>
/// <param name="Line">The line the block starts on, for failure messages.</param>
internal sealed record GuideExample(string Kind, IReadOnlyList<string> Arguments, string Code, int Line);

/// <summary>docs/integrators.md and the examples it marks for the tests (the marks are HTML comments, invisible when rendered).</summary>
internal static class Guide
{
    private const string Mark = "<!-- example:";

    public static string Text { get; } = File.ReadAllText(Path.Combine(Repository.Root, "docs", "integrators.md"));

    public static IReadOnlyList<GuideExample> Examples { get; } = Read(Text.ReplaceLineEndings("\n").Split('\n'));

    private static List<GuideExample> Read(string[] lines)
    {
        var examples = new List<GuideExample>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith(Mark, StringComparison.Ordinal))
            {
                continue;
            }

            var words = lines[i][Mark.Length..].Replace("-->", "", StringComparison.Ordinal).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var fence = i + 1;
            if (fence >= lines.Length || !lines[fence].StartsWith("```", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"docs/integrators.md line {i + 1}: an example mark must be followed by a code block.");
            }

            var end = Array.FindIndex(lines, fence + 1, l => l.StartsWith("```", StringComparison.Ordinal));
            examples.Add(new GuideExample(words[0], words[1..], string.Join('\n', lines[(fence + 1)..end]), fence + 2));
            i = end;
        }

        return examples;
    }
}
