using System.Collections.Frozen;
using System.Text.Json;

using ParkCharge.Core.Charging;
using ParkCharge.Ocpp.Rpc;

namespace ParkCharge.Ocpp.Validation;

/// <summary>
/// The official JSON schemas of one OCPP version (see Schemas/README.md), compiled once at
/// first use into validators that check a payload in one pass without allocating when it is
/// valid. OCPP-J requires a receiver to answer a payload that breaks its schema with a
/// CALLERROR (OCPP-J 1.6 §4.2.3, 2.0.1 and 2.1 §4.3), and 2.1 an invalid CALLRESULT with a
/// CALLRESULTERROR; the violation says which code and why.
/// </summary>
public sealed class OcppSchemas
{
    private static readonly Lazy<OcppSchemas> Ocpp16Schemas = new(() => Load(OcppVersion.Ocpp16, "ocpp1_6.json"));
    private static readonly Lazy<OcppSchemas> Ocpp201Schemas = new(() => Load(OcppVersion.Ocpp201, "ocpp2_0_1.json"));
    private static readonly Lazy<OcppSchemas> Ocpp21Schemas = new(() => Load(OcppVersion.Ocpp21, "ocpp2_1.json"));

    private readonly FrozenDictionary<string, ActionSchemas> _actions;
    private readonly FrozenDictionary<string, SchemaNode> _sends;

    private OcppSchemas(OcppVersion version, FrozenDictionary<string, ActionSchemas> actions, FrozenDictionary<string, SchemaNode> sends)
    {
        Version = version;
        _actions = actions;
        _sends = sends;
    }

    public OcppVersion Version { get; }

    /// <summary>Every CALL action the version defines, e.g. <c>BootNotification</c>.</summary>
    public IReadOnlyCollection<string> Actions => _actions.Keys;

    /// <summary>Every SEND action (OCPP-J 2.1 message type 6, never answered): 2.1's NotifyPeriodicEventStream; none before 2.1.</summary>
    public IReadOnlyCollection<string> SendActions => _sends.Keys;

    /// <summary>The schemas of a version; compiled on the first call (thread-safe), shared afterwards.</summary>
    public static OcppSchemas For(OcppVersion version) => version switch
    {
        OcppVersion.Ocpp16 => Ocpp16Schemas.Value,
        OcppVersion.Ocpp201 => Ocpp201Schemas.Value,
        OcppVersion.Ocpp21 => Ocpp21Schemas.Value,
        _ => throw new ArgumentOutOfRangeException(nameof(version), version, "Unknown OCPP version."),
    };

    public bool HasAction(string action) => _actions.ContainsKey(action);

    /// <summary>Checks the payload of a CALL against <c>{action}.req</c> (1.6, 2.0.1) / <c>{action}Request</c> (2.1).</summary>
    public SchemaCheck ValidateRequest(string action, JsonElement payload) =>
        _actions.TryGetValue(action, out ActionSchemas? schemas) ? Validate(schemas.Request, payload) : Undefined(action);

    /// <summary>Checks the payload of a CALLRESULT against <c>{action}.conf</c> (1.6, 2.0.1) / <c>{action}Response</c> (2.1).</summary>
    public SchemaCheck ValidateResponse(string action, JsonElement payload) =>
        _actions.TryGetValue(action, out ActionSchemas? schemas) ? Validate(schemas.Response, payload) : Undefined(action);

    /// <summary>Checks the payload of a SEND against <c>{action}</c> (2.1).</summary>
    public SchemaCheck ValidateSend(string action, JsonElement payload) =>
        _sends.TryGetValue(action, out SchemaNode? schema) ? Validate(schema, payload) : Undefined(action);

    private SchemaCheck Undefined(string action) =>
        new(new SchemaViolation(RpcErrorCode.NotImplemented, "", null, $"action \"{action}\" is not defined in OCPP {Version.Label()}"));

    private static SchemaCheck Validate(SchemaNode schema, JsonElement payload)
    {
        if (payload.ValueKind != JsonValueKind.Object)
        {
            // The payload slot of the frame holds something other than an object: the frame itself is malformed.
            return new SchemaCheck(new SchemaViolation(RpcErrorCode.FormatViolation, "", null,
                $"payload must be a JSON object, not {SchemaNode.Preview(payload)}"));
        }

        SchemaFailure? failure = schema.Validate(payload);
        return failure is null ? SchemaCheck.Valid : new SchemaCheck(failure.ToViolation());
    }

    private static OcppSchemas Load(OcppVersion version, string fileName)
    {
        string resource = $"ParkCharge.Ocpp.Schemas.{fileName}";
        using Stream stream = typeof(OcppSchemas).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Embedded schema file {resource} is missing.");
        using JsonDocument document = JsonDocument.Parse(stream);

        var requests = new Dictionary<string, SchemaNode>();
        var responses = new Dictionary<string, SchemaNode>();
        var sends = new Dictionary<string, SchemaNode>();
        foreach (JsonElement schema in document.RootElement.EnumerateArray())
        {
            // "$id": "urn:BootNotification.req" / "urn:BootNotification.conf" (1.6, 2.0.1),
            // "urn:BootNotificationRequest" / "urn:BootNotificationResponse" (2.1), and for a 2.1
            // SEND, which has no response, the action alone: "urn:NotifyPeriodicEventStream".
            string id = schema.GetProperty("$id").GetString() ?? "";
            if (!id.StartsWith("urn:", StringComparison.Ordinal) || id.Length == "urn:".Length)
            {
                throw new InvalidDataException($"{resource}: unexpected schema id \"{id}\".");
            }

            SchemaNode node = SchemaCompiler.CompileRoot(schema);
            string name = id["urn:".Length..];
            if (Suffixed(name, version == OcppVersion.Ocpp21 ? "Request" : ".req") is { } requestOf)
            {
                requests.Add(requestOf, node);
            }
            else if (Suffixed(name, version == OcppVersion.Ocpp21 ? "Response" : ".conf") is { } responseOf)
            {
                responses.Add(responseOf, node);
            }
            else if (version == OcppVersion.Ocpp21 && !name.Contains('.', StringComparison.Ordinal))
            {
                sends.Add(name, node);
            }
            else
            {
                throw new InvalidDataException($"{resource}: unexpected schema id \"{id}\".");
            }
        }

        var actions = new Dictionary<string, ActionSchemas>();
        foreach ((string action, SchemaNode request) in requests)
        {
            actions.Add(action, new ActionSchemas(request, responses.TryGetValue(action, out SchemaNode? response)
                ? response
                : throw new InvalidDataException($"{resource}: {action} has a request schema but no response schema.")));
        }

        if (responses.Count != requests.Count)
        {
            throw new InvalidDataException($"{resource}: some response schemas have no request schema.");
        }

        return new OcppSchemas(version, actions.ToFrozenDictionary(StringComparer.Ordinal), sends.ToFrozenDictionary(StringComparer.Ordinal));

        static string? Suffixed(string name, string suffix) =>
            name.Length > suffix.Length && name.EndsWith(suffix, StringComparison.Ordinal) ? name[..^suffix.Length] : null;
    }

    private sealed record ActionSchemas(SchemaNode Request, SchemaNode Response);
}
