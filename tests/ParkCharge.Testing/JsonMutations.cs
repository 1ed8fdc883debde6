using System.Text.Json.Nodes;

using CsCheck;

namespace ParkCharge.Testing;

/// <summary>
/// Valid documents made hostile: a sample (a vendor's push, a site document) with a few of its values, anywhere
/// in the tree, replaced by generated JSON text. Mutating real samples reaches the code behind validation far
/// more often than random documents do.
/// </summary>
public static class JsonMutations
{
    /// <summary>The sample with <paramref name="min"/> to <paramref name="max"/> of its values replaced by values of <paramref name="values"/> (raw JSON text).</summary>
    public static Gen<string> Of(string sample, Gen<string> values, int min = 1, int max = 4)
    {
        var slots = Slots(JsonNode.Parse(sample)!).Count;
        return Gen.Int[0, slots - 1].Array[min, max].SelectMany(picks => values.Array[picks.Length].Select(replacements =>
        {
            var root = JsonNode.Parse(sample)!;
            var all = Slots(root);
            for (var i = 0; i < picks.Length; i++)
            {
                all[picks[i]](JsonValue.Create($"\u0001{i}\u0001"));
            }

            var text = root.ToJsonString();
            for (var i = 0; i < picks.Length; i++)
            {
                text = text.Replace($"\"\\u0001{i}\\u0001\"", replacements[i], StringComparison.Ordinal);
            }

            return text;
        }));
    }

    /// <summary>Setters for every value under <paramref name="node"/>, in document order.</summary>
    private static List<Action<JsonNode?>> Slots(JsonNode node)
    {
        var slots = new List<Action<JsonNode?>>();
        void Walk(JsonNode? current)
        {
            switch (current)
            {
                case JsonObject o:
                    foreach (var (name, child) in o.ToList())
                    {
                        slots.Add(v => o[name] = v);
                        Walk(child);
                    }

                    break;
                case JsonArray a:
                    for (var i = 0; i < a.Count; i++)
                    {
                        var at = i;
                        slots.Add(v => a[at] = v);
                        Walk(a[i]);
                    }

                    break;
            }
        }

        Walk(node);
        return slots;
    }
}
