using System.Text.Json;

using Json.Schema;

using ParkCharge.Core.Charging;
using ParkCharge.Ocpp.Validation;

namespace ParkCharge.Ocpp.Tests.Validation;

/// <summary>
/// The schema files exactly as embedded in ParkCharge.Ocpp, as raw JSON for the test-side
/// generators, and compiled by JsonSchema.Net: the reference implementation our own validator
/// must agree with.
/// </summary>
internal sealed class OfficialSchemas
{
    private static readonly Lazy<OfficialSchemas> Ocpp16Schemas = new(() => new OfficialSchemas(OcppVersion.Ocpp16, "ocpp1_6.json"));
    private static readonly Lazy<OfficialSchemas> Ocpp201Schemas = new(() => new OfficialSchemas(OcppVersion.Ocpp201, "ocpp2_0_1.json"));
    private static readonly Lazy<OfficialSchemas> Ocpp21Schemas = new(() => new OfficialSchemas(OcppVersion.Ocpp21, "ocpp2_1.json"));

    private static readonly EvaluationOptions Evaluation = new() { RequireFormatValidation = true };

    private readonly Dictionary<string, JsonElement> _raw = [];
    private readonly Dictionary<string, JsonSchema> _oracle = [];

    private OfficialSchemas(OcppVersion version, string fileName)
    {
        Version = version;
        using Stream stream = typeof(OcppSchemas).Assembly.GetManifestResourceStream($"ParkCharge.Ocpp.Schemas.{fileName}")!;
        // Kept for the lifetime of the test run: the oracle and the generators read from it.
        JsonDocument document = JsonDocument.Parse(stream);
        foreach (JsonElement schema in document.RootElement.EnumerateArray())
        {
            string id = schema.GetProperty("$id").GetString()!;
            _raw.Add(id, schema);
            // One registry per schema: the files reuse the same $id values ("urn:Authorize.req").
            _oracle.Add(id, JsonSchema.Build(schema, new BuildOptions { SchemaRegistry = new SchemaRegistry(), Dialect = Dialect.Draft07 }));
        }
    }

    public OcppVersion Version { get; }

    public IEnumerable<string> SchemaIds => _raw.Keys;

    public static OfficialSchemas For(OcppVersion version) => version switch
    {
        OcppVersion.Ocpp16 => Ocpp16Schemas.Value,
        OcppVersion.Ocpp201 => Ocpp201Schemas.Value,
        _ => Ocpp21Schemas.Value,
    };

    /// <summary>"urn:BootNotification.req" (1.6, 2.0.1) or "urn:BootNotificationRequest" (2.1) for a request of BootNotification.</summary>
    public static string SchemaId(OcppVersion version, string action, bool request) => version == OcppVersion.Ocpp21
        ? $"urn:{action}{(request ? "Request" : "Response")}"
        : $"urn:{action}.{(request ? "req" : "conf")}";

    public JsonElement Raw(string schemaId) => _raw[schemaId];

    public bool OracleAccepts(string schemaId, JsonElement payload) => _oracle[schemaId].Evaluate(payload, Evaluation).IsValid;

    /// <summary>Our compiled validator, on the same schema id (a request, a response, or a 2.1 SEND).</summary>
    public SchemaCheck Check(string schemaId, JsonElement payload)
    {
        OcppSchemas schemas = OcppSchemas.For(Version);
        string name = schemaId["urn:".Length..];
        foreach ((string suffix, bool request) in new[] { (".req", true), (".conf", false), ("Request", true), ("Response", false) })
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal))
            {
                string action = name[..^suffix.Length];
                return request ? schemas.ValidateRequest(action, payload) : schemas.ValidateResponse(action, payload);
            }
        }

        return schemas.ValidateSend(name, payload);
    }
}
