using System.Text;

namespace ParkCharge.Core.Sites.Files;

/// <summary>
/// <c>${NAME}</c> in a site file's values, replaced from the environment, so camera keys and charger
/// passwords can stay out of files that are committed or shared. <c>$${</c> stands for a literal
/// <c>${</c>. A variable that is not set is an error, never an empty string: an empty key would
/// otherwise reach validation as "too short" and hide the real cause.
/// </summary>
public static class EnvironmentReferences
{
    /// <summary>The text with every reference replaced, or null with the problems (one per unset variable or malformed reference).</summary>
    public static string? Substitute(string text, IReadOnlyDictionary<string, string?> environment, List<string> problems)
    {
        if (!text.Contains('$', StringComparison.Ordinal))
        {
            return text;
        }

        var result = new StringBuilder(text.Length);
        var failed = false;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '$' || i + 1 >= text.Length)
            {
                result.Append(text[i]);
                continue;
            }

            if (text[i + 1] == '$' && i + 2 < text.Length && text[i + 2] == '{')
            {
                result.Append("${");
                i += 2;
                continue;
            }

            if (text[i + 1] != '{')
            {
                result.Append('$');
                continue;
            }

            var end = text.IndexOf('}', i + 2);
            if (end < 0)
            {
                problems.Add("'${' without a closing '}' (write $${ for a literal ${)");
                return null;
            }

            var name = text[(i + 2)..end];
            if (!IsName(name))
            {
                problems.Add($"'${{{name}}}' is not a variable reference (names are letters, digits and '_', not starting with a digit)");
                failed = true;
            }
            else if (environment.TryGetValue(name, out var value) && value is not null)
            {
                result.Append(value);
            }
            else
            {
                problems.Add($"environment variable '{name}' is not set");
                failed = true;
            }

            i = end;
        }

        return failed ? null : result.ToString();
    }

    private static bool IsName(string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
