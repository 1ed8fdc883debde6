using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

using CsCheck;

using ParkCharge.Core.Charging;

namespace ParkCharge.Server.Tests.Hostile;

/// <summary>One frame a hostile charger sends, and the ids its answer may carry (none: it must not be answered).</summary>
internal sealed record FuzzFrame(OcppVersion Version, string Kind, string? Action, string Text, params string[] ReplyIds)
{
    public override string ToString() => $"{Version} {Kind} {Action}: {(Text.Length > 600 ? Text[..600] + "…" : Text)}";
}

/// <summary>
/// CsCheck generators of OCPP-J frames for every action of both versions, read from the official schemas
/// in <c>src/ParkCharge.Ocpp/Schemas</c>: payloads of the right shape filled with hostile values (ids and
/// seqNos at and beyond Int32, numbers beyond decimal, times in year 1 and 9999, NULs, unpaired surrogates,
/// strings at and over their limits, JSON nested past the parser's depth), payloads broken by one
/// mutation (a required field dropped, a wrong type, an unknown field), and frames that are not OCPP-J at all.
/// </summary>
internal sealed class OcppFrameGen
{
    private static readonly string[] HostileStrings =
    [
        "", " ", "a", "\u0000", "a\u0000b", "\u001f\u0007\n\r\t", "\ud800", "\udfff x", "😀𝄞", "\u202e\u0645\u0631\u062d\u0628\u0627", "e\u0301\u0301\u0301",
        "' OR 1=1 --", "<script>alert(1)</script>", "../../etc/passwd", "${jndi:ldap://x}", "%s%n", "null", "\\u0000",
    ];

    private static readonly string[] HostileTimes =
    [
        "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.9999999Z", "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "1970-01-01T00:00:00Z",
        "2000-01-01T00:00:00Z", "2106-02-07T06:28:16Z",
    ];

    private static readonly string[] OddIds = ["", " ", "\u0000", "😀", "-1"];

    private static readonly string[] BadTimes = ["2024-02-30T10:00:00Z", "yesterday", "2024-01-01T10:00:00"];

    private static readonly string[] HostileIntegers =
    [
        "0", "-1", "1", "2147483647", "-2147483648", "2147483648", "-2147483649", "9223372036854775807", "100000000000000000000", "1e300", "1.0", "1.5",
    ];

    private static readonly string[] HostileNumbers =
    [
        "0", "-0.0", "0.1", "1e300", "-1e300", "1e-300", "79228162514264337593543950335", "-79228162514264337593543950335", "1e28", "123456.789", "1E+400",
    ];

    private readonly OcppVersion _version;
    private readonly JsonElement _schemas;

    private OcppFrameGen(OcppVersion version, JsonElement schemas)
    {
        _version = version;
        _schemas = schemas;
        Actions = [.. schemas.EnumerateArray().Select(s => s.GetProperty("$id").GetString()!).Where(id => id.EndsWith(".req", StringComparison.Ordinal)).Select(id => id["urn:".Length..^".req".Length])];
    }

    /// <summary>Every action the version's schemas define a request for (both directions: a charger may send any of them).</summary>
    public IReadOnlyList<string> Actions { get; }

    public static OcppFrameGen For(OcppVersion version)
    {
        var file = Path.Combine(Repository.Root, "src", "ParkCharge.Ocpp", "Schemas", version == OcppVersion.Ocpp16 ? "ocpp1_6.json" : "ocpp2_0_1.json");
        using var document = JsonDocument.Parse(File.ReadAllText(file));
        return new OcppFrameGen(version, document.RootElement.Clone());
    }

    /// <summary>Frames: mostly well-shaped hostile payloads, then broken payloads, then frames that are no CALL.</summary>
    public Gen<FuzzFrame> Frames =>
        Gen.Frequency(
            (6, Gen.Int[0, Actions.Count - 1].SelectMany(i => Payload(Actions[i]).Select(p => (Action: Actions[i], Payload: p)))
                .SelectMany(x => Id.Select(id => Call("hostile values", x.Action, id, x.Payload.ToJsonString(), [id])))),
            (3, Gen.Int[0, Actions.Count - 1].SelectMany(i => Payload(Actions[i]).SelectMany(p => Mutation(p)).Select(p => (Action: Actions[i], Payload: p)))
                .SelectMany(x => Id.Select(id => Call("broken payload", x.Action, id, x.Payload, [id, "-1"])))),
            (1, NotACall));

    /// <summary>Message ids, now and then at and beyond 2.0.1's 36 characters.</summary>
    private static Gen<string> Id => Gen.Frequency(
        (8, Gen.Int[0, int.MaxValue].Select(i => "f" + i.ToString(CultureInfo.InvariantCulture))),
        (1, Gen.Int[35, 40].Select(n => new string('i', n))),
        (1, Gen.Int[0, OddIds.Length - 1].Select(i => OddIds[i])));

    private FuzzFrame Call(string kind, string action, string id, string payload, string[] replyIds) =>
        new(_version, kind, action, $"[2,{JsonValue.Create(id).ToJsonString()},{JsonValue.Create(action).ToJsonString()},{payload}]", replyIds);

    /// <summary>A payload for the action's request schema, with hostile values wherever the schema leaves room.</summary>
    private Gen<JsonNode> Payload(string action)
    {
        var root = _schemas.EnumerateArray().First(s => s.GetProperty("$id").GetString() == $"urn:{action}.req");
        return Value(root, root, depth: 0);
    }

    private Gen<JsonNode> Value(JsonElement root, JsonElement schema, int depth)
    {
        while (schema.TryGetProperty("$ref", out var reference))
        {
            schema = root.GetProperty("definitions").GetProperty(reference.GetString()!["#/definitions/".Length..]);
        }

        if (!schema.TryGetProperty("type", out var type))
        {
            return Untyped;
        }

        return type.GetString() switch
        {
            "object" => Object(root, schema, depth),
            "array" when depth < 6 => Array(root, schema, depth),
            "array" => Gen.Const(() => (JsonNode)new JsonArray()),
            "string" => String(schema),
            "integer" => Gen.Frequency((3, Gen.Int[-5, 5].Select(i => (JsonNode)JsonValue.Create(i))), (2, Raw(HostileIntegers))),
            "number" => Gen.Frequency((2, Gen.Int[-1000, 100_000].Select(i => (JsonNode)JsonValue.Create(i / 10m))), (3, Raw(HostileNumbers))),
            "boolean" => Gen.Bool.Select(b => (JsonNode)JsonValue.Create(b)),
            _ => Untyped,
        };
    }

    private Gen<JsonNode> Object(JsonElement root, JsonElement schema, int depth)
    {
        var required = schema.TryGetProperty("required", out var names) ? names.EnumerateArray().Select(n => n.GetString()!).ToHashSet() : [];
        Gen<List<KeyValuePair<string, JsonNode?>>> members = Gen.Const(() => new List<KeyValuePair<string, JsonNode?>>());
        if (schema.TryGetProperty("properties", out var properties))
        {
            foreach (var property in properties.EnumerateObject())
            {
                var name = property.Name;
                var always = required.Contains(name);
                members = Gen.Select(members, Gen.Int[0, 2], Value(root, property.Value, depth + 1), (list, include, value) =>
                {
                    if (always || include > 0)
                    {
                        list.Add(new(name, value));
                    }

                    return list;
                });
            }
        }

        return members.Select(list => (JsonNode)new JsonObject(list));
    }

    private Gen<JsonNode> Array(JsonElement root, JsonElement schema, int depth)
    {
        var min = schema.TryGetProperty("minItems", out var minItems) ? minItems.GetInt32() : 0;
        var max = schema.TryGetProperty("maxItems", out var maxItems) ? maxItems.GetInt32() : 40;
        var items = Value(root, schema.GetProperty("items"), depth + 1);
        return Gen.Frequency((6, items.List[min, Math.Min(max, min + 3)]), (1, items.List[Math.Min(max, 40), Math.Min(max, 40)]), (1, items.List[max + 1, max + 1]))
            .Select(list => (JsonNode)new JsonArray([.. list]));
    }

    private static Gen<JsonNode> String(JsonElement schema)
    {
        if (schema.TryGetProperty("enum", out var values))
        {
            string[] names = [.. values.EnumerateArray().Select(v => v.GetString()!)];
            string[] wrong = ["Bogus", names[0].ToLowerInvariant(), ""];
            return Gen.Frequency((8, Gen.Int[0, names.Length - 1].Select(i => (JsonNode)JsonValue.Create(names[i]))), (1, Gen.Int[0, 2].Select(i => (JsonNode)JsonValue.Create(wrong[i]))));
        }

        if (schema.TryGetProperty("format", out var format) && format.GetString() == "date-time")
        {
            return Gen.Frequency(
                (2, Gen.Int[-100_000, 100_000].Select(s => (JsonNode)JsonValue.Create(DateTimeOffset.UtcNow.AddSeconds(s).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)))),
                (3, Gen.Int[0, HostileTimes.Length - 1].Select(i => (JsonNode)JsonValue.Create(HostileTimes[i]))),
                (1, Gen.Int[0, BadTimes.Length - 1].Select(i => (JsonNode)JsonValue.Create(BadTimes[i]))));
        }

        var maxLength = schema.TryGetProperty("maxLength", out var limit) ? limit.GetInt32() : 500;
        return Gen.Frequency(
            (4, Gen.Int[0, HostileStrings.Length - 1].Select(i => (JsonNode)JsonValue.Create(HostileStrings[i]))),
            (2, Gen.Int[0, Math.Min(maxLength, 20)].Select(n => (JsonNode)JsonValue.Create(new string('x', n)))),
            (1, Gen.Const(() => (JsonNode)JsonValue.Create(new string('\u00e9', maxLength)))),
            (1, Gen.Const(() => (JsonNode)JsonValue.Create(new string('m', maxLength + 1)))));
    }

    /// <summary>A number written exactly as given (JsonNode would round 1e300 or refuse 1E+400).</summary>
    private static Gen<JsonNode> Raw(string[] numbers) =>
        Gen.Int[0, numbers.Length - 1].Select(i => JsonNode.Parse(numbers[i].Contains("E+400", StringComparison.Ordinal) ? "1e308" : numbers[i])!);

    /// <summary>Anything, for untyped fields (2.0.1 DataTransfer data): sometimes nested past 64 levels.</summary>
    private static Gen<JsonNode> Untyped => Gen.Frequency(
        (3, Gen.Int[0, 2].Select(i => i switch { 0 => (JsonNode)JsonValue.Create("text"), 1 => JsonValue.Create(42), _ => JsonValue.Create(true) })),
        (1, Gen.Int[1, 200].Select(depth =>
        {
            JsonNode node = JsonValue.Create(depth)!;
            for (var i = 0; i < depth; i++)
            {
                node = new JsonArray(node);
            }

            return node;
        })));

    /// <summary>The payload broken in one way (as text, since some breaks are not JSON the node can hold).</summary>
    private static Gen<string> Mutation(JsonNode payload)
    {
        var obj = payload.AsObject();
        var names = obj.Select(p => p.Key).ToArray();
        return Gen.Int[0, 6].SelectMany(kind => Gen.Int[0, Math.Max(0, names.Length - 1)].Select(pick =>
        {
            var copy = obj.DeepClone().AsObject();
            var name = names.Length == 0 ? "x" : names[pick];
            switch (kind)
            {
                case 0 when names.Length > 0:
                    copy.Remove(name);
                    break;
                case 1:
                    copy[name] = new JsonArray(1, "two", null);
                    break;
                case 2:
                    copy[name] = null;
                    break;
                case 3:
                    copy["unknownProperty" + pick.ToString(CultureInfo.InvariantCulture)] = "surprise";
                    break;
                case 4:
                    copy[name] = "not what the schema says";
                    break;
                case 5:
                    return "[" + copy.ToJsonString() + "]";
                default:
                    return copy.ToJsonString()[..^1] + ",\"dangling\":"; // cut short: not JSON
            }

            return copy.ToJsonString();
        }));
    }

    /// <summary>Frames that are not a usable CALL: not JSON, not an array, unknown message types, results for nothing.</summary>
    private Gen<FuzzFrame> NotACall => Gen.Int[0, 14].Select(kind => kind switch
    {
        0 => new FuzzFrame(_version, "not json", null, "this is not json", "-1"),
        1 => new FuzzFrame(_version, "object", null, """{"messageTypeId":2}""", "-1"),
        2 => new FuzzFrame(_version, "empty array", null, "[]", "-1"),
        3 => new FuzzFrame(_version, "id not a string", null, """[2,17,"Heartbeat",{}]""", "-1"),
        4 => new FuzzFrame(_version, "unknown type", null, """[7,"t7","Heartbeat",{}]""", "t7"),
        5 => new FuzzFrame(_version, "type as text", null, """["2","t8","Heartbeat",{}]""", "t8", "-1"),
        6 => new FuzzFrame(_version, "payload array", "Heartbeat", """[2,"t9","Heartbeat",[]]""", "t9"),
        7 => new FuzzFrame(_version, "unknown action", "SelfDestruct", """[2,"t10","SelfDestruct",{}]""", "t10"),
        8 => new FuzzFrame(_version, "result for nothing", null, """[3,"nobody-asked",{}]"""),
        9 => new FuzzFrame(_version, "error for nothing", null, """[4,"nobody-asked","GenericError","",{}]"""),
        10 => new FuzzFrame(_version, "deep frame", null, new string('[', 20_000) + new string(']', 20_000), "-1"),
        11 => new FuzzFrame(_version, "deep payload", "DataTransfer", $"[2,\"t11\",\"DataTransfer\",{{\"vendorId\":\"v\",\"data\":{new string('[', 5_000)}{new string(']', 5_000)}}}]", "t11"),
        12 => new FuzzFrame(_version, "short call", null, """[2,"t12","Heartbeat"]""", "t12"),
        13 => new FuzzFrame(_version, "nul after the frame", null, "[2,\"t13\",\"Heartbeat\",{}]\u0000", "-1"),
        _ => new FuzzFrame(_version, "huge id", "Heartbeat", $"[2,\"{new string('9', 5_000)}\",\"Heartbeat\",{{}}]", new string('9', 5_000)),
    });
}
