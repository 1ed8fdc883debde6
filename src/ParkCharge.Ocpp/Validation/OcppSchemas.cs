using System.Collections.Frozen;
using System.Text.Json;

using ParkCharge.Core.Charging;
using ParkCharge.Ocpp.Rpc;

namespace ParkCharge.Ocpp.Validation;

/// <summary>
/// The official JSON schemas of one OCPP version (see Schemas/README.md), compiled once at
/// first use into validators that check a payload in one pass without allocating when it is
/// valid. OCPP-J requires a receiver to answer a payload that breaks its schema with a
/// CALLERROR (OCPP-J 1.6 §4.2.3, 2.0.1 §4.3); the violation says which code and why.
/// </summary>
public sealed class OcppSchemas
{
    private static readonly Lazy<OcppSchemas> s_ocpp16 = new(() => Load(OcppVersion.Ocpp16, "ocpp1_6.json"));
    private static readonly Lazy<OcppSchemas> s_ocpp201 = new(() => Load(OcppVersion.Ocpp201, "ocpp2_0_1.json"));

    private readonly FrozenDictionary<string, ActionSchemas> _actions;

    private OcppSchemas(OcppVersion version, FrozenDictionary<string, ActionSchemas> actions)
    {
        Version = version;
        _actions = actions;
    }

    public OcppVersion Version { get; }

    /// <summary>Every action the version defines, e.g. <c>BootNotification</c>.</summary>
    public IReadOnlyCollection<string> Actions => _actions.Keys;

    /// <summary>The schemas of a version; compiled on the first call (thread-safe), shared afterwards.</summary>
    public static OcppSchemas For(OcppVersion version) => version switch
    {
        OcppVersion.Ocpp16 => s_ocpp16.Value,
        OcppVersion.Ocpp201 => s_ocpp201.Value,
        _ => throw new ArgumentOutOfRangeException(nameof(version), version, "Unknown OCPP version."),
    };

    public bool HasAction(string action) => _actions.ContainsKey(action);

    /// <summary>Checks the payload of a CALL against <c>{action}.req</c> (1.6) / <c>{action}Request</c> (2.0.1).</summary>
    public SchemaCheck ValidateRequest(string action, JsonElement payload) => Validate(action, payload, request: true);

    /// <summary>Checks the payload of a CALLRESULT against <c>{action}.conf</c> (1.6) / <c>{action}Response</c> (2.0.1).</summary>
    public SchemaCheck ValidateResponse(string action, JsonElement payload) => Validate(action, payload, request: false);

    private SchemaCheck Validate(string action, JsonElement payload, bool request)
    {
        if (!_actions.TryGetValue(action, out ActionSchemas? schemas))
        {
            return new SchemaCheck(new SchemaViolation(RpcErrorCode.NotImplemented, "", null,
                $"action \"{action}\" is not defined in {Describe(Version)}"));
        }

        if (payload.ValueKind != JsonValueKind.Object)
        {
            // The payload slot of the frame holds something other than an object: the frame itself is malformed.
            return new SchemaCheck(new SchemaViolation(RpcErrorCode.FormatViolation, "", null,
                $"payload must be a JSON object, not {SchemaNode.Preview(payload)}"));
        }

        SchemaFailure? failure = (request ? schemas.Request : schemas.Response).Validate(payload);
        return failure is null ? SchemaCheck.Valid : new SchemaCheck(failure.ToViolation());
    }

    private static string Describe(OcppVersion version) => version == OcppVersion.Ocpp16 ? "OCPP 1.6" : "OCPP 2.0.1";

    private static OcppSchemas Load(OcppVersion version, string fileName)
    {
        string resource = $"ParkCharge.Ocpp.Schemas.{fileName}";
        using Stream stream = typeof(OcppSchemas).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Embedded schema file {resource} is missing.");
        using JsonDocument document = JsonDocument.Parse(stream);

        var requests = new Dictionary<string, SchemaNode>();
        var responses = new Dictionary<string, SchemaNode>();
        foreach (JsonElement schema in document.RootElement.EnumerateArray())
        {
            // "$id": "urn:BootNotification.req" / "urn:BootNotification.conf", in both files.
            string id = schema.GetProperty("$id").GetString() ?? "";
            if (!id.StartsWith("urn:", StringComparison.Ordinal))
            {
                throw new InvalidDataException($"{resource}: unexpected schema id \"{id}\".");
            }

            SchemaNode node = SchemaCompiler.CompileRoot(schema);
            if (id.EndsWith(".req", StringComparison.Ordinal))
            {
                requests.Add(id["urn:".Length..^".req".Length], node);
            }
            else if (id.EndsWith(".conf", StringComparison.Ordinal))
            {
                responses.Add(id["urn:".Length..^".conf".Length], node);
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

        return new OcppSchemas(version, actions.ToFrozenDictionary(StringComparer.Ordinal));
    }

    private sealed record ActionSchemas(SchemaNode Request, SchemaNode Response);
}
