using System.Reflection;
using System.Text.RegularExpressions;

using Microsoft.Extensions.Logging;

using ParkCharge.Ocpp.Rpc;
using ParkCharge.Server.Hosting;
using ParkCharge.Storage;

namespace ParkCharge.Server.Tests.Hosting;

/// <summary>Operators filter and alert on event ids: every message a node logs has its own, in the range docs/operators.md gives its area.</summary>
public sealed partial class LogEventIdTests
{
    [Fact]
    public void Every_log_message_of_a_node_has_an_event_id_of_its_own_within_the_documented_range_of_its_area()
    {
        var ranges = DocumentedRanges();
        var messages = LogMessages();

        Assert.True(messages.Count > 80, $"Only {messages.Count} log messages found: is the attribute still read?");
        Assert.Empty(messages.Where(m => m.Id <= 0).Select(m => m.Name));
        Assert.Empty(messages.GroupBy(m => m.Id).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Name))}"));
        Assert.Empty(messages
            .Where(m => !ranges.Any(r => r.First <= m.Id && m.Id <= r.Last && r.Namespaces.Any(n => m.Namespace == n || m.Namespace.StartsWith(n + ".", StringComparison.Ordinal))))
            .Select(m => $"{m.Name} ({m.Namespace}) has id {m.Id}, outside its area's range"));
    }

    [Fact]
    public void The_documented_ranges_do_not_overlap()
    {
        var ranges = DocumentedRanges().OrderBy(r => r.First).ToList();

        Assert.True(ranges.Count >= 10);
        Assert.All(ranges.Zip(ranges.Skip(1)), pair => Assert.True(pair.First.Last < pair.Second.First, $"{pair.First.First}–{pair.First.Last} overlaps {pair.Second.First}–{pair.Second.Last}"));
    }

    private static List<(string Name, string Namespace, int Id)> LogMessages() =>
    [
        .. from assembly in new[] { typeof(ParkChargeApp).Assembly, typeof(Store).Assembly, typeof(RpcConnection).Assembly }
           from type in assembly.GetTypes()
           from method in type.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
           let attribute = method.GetCustomAttribute<LoggerMessageAttribute>()
           where attribute is not null
           select ($"{type.Name}.{method.Name}", type.Namespace ?? "", attribute.EventId),
    ];

    /// <summary>The table under "Log event ids" in docs/operators.md: first and last id, and the namespaces (in backticks) of the area.</summary>
    private static List<(int First, int Last, string[] Namespaces)> DocumentedRanges()
    {
        var lines = File.ReadAllLines(Path.Combine(Repository.Root, "docs", "operators.md"));
        var start = Array.IndexOf(lines, "## Log event ids");
        Assert.True(start >= 0, "docs/operators.md has no '## Log event ids' section.");
        return
        [
            .. lines.Skip(start + 1).TakeWhile(l => !l.StartsWith("## ", StringComparison.Ordinal))
                .Select(l => RangeRow().Match(l))
                .Where(m => m.Success)
                .Select(m => (int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture),
                    Namespaces().Matches(m.Groups[3].Value).Select(n => n.Groups[1].Value).ToArray())),
        ];
    }

    [GeneratedRegex(@"^\| (\d+)–(\d+) \|[^|]*\|(.*)\|$")]
    private static partial Regex RangeRow();

    [GeneratedRegex(@"`([A-Za-z.]+)`")]
    private static partial Regex Namespaces();
}
