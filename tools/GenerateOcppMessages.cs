// Generates the typed OCPP messages of src/ParkCharge.Ocpp/V16, V201 and V21 from the official JSON
// schemas in src/ParkCharge.Ocpp/Schemas: one file per action (request and response records and
// the types only that action uses), DataTypes.cs and Enumerations.cs for shared types, the
// System.Text.Json source-generated context and the action catalogue. 1.6 and 2.0.1 type the
// actions ParkCharge uses (listed below); 2.1 types every message of its schema file, SEND
// messages (OCPP-J 2.1 message type 6, one schema and no response) included.
//
// Run from the repository root after changing the action lists below or the schemas:
//     dotnet run tools/GenerateOcppMessages.cs
//
// Mapping: object -> sealed record (required/init), string enum -> enum with the protocol's
// spelling, date-time -> DateTimeOffset, integer -> int, number -> decimal, boolean -> bool,
// array -> IReadOnlyList<T>, untyped -> JsonElement. An object schema without
// "additionalProperties": false keeps unknown members in a [JsonExtensionData] dictionary.
// 2.0.1 and 2.1 types keep the names of the schema definitions (IdTokenType, ChargingStateEnumType),
// so they can be found in the specification; 1.6 schemas define everything inline, so the names
// come from the 1.6 specification's type list (section 7), via the table below.

using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

string repository = FindRepositoryRoot();
var ocpp16 = new VersionSpec(
    Folder: "V16",
    Label: "OCPP 1.6",
    VersionMember: "Ocpp16",
    SchemaFile: "ocpp1_6.json",
    Actions:
    [
        // charger to server
        "BootNotification", "Heartbeat", "StatusNotification", "Authorize", "StartTransaction", "MeterValues", "StopTransaction", "DataTransfer",
        "SecurityEventNotification", "SignCertificate", // the 1.6 security whitepaper's extension
        "FirmwareStatusNotification", "DiagnosticsStatusNotification",
        "LogStatusNotification", "SignedFirmwareStatusNotification", // the 1.6 security whitepaper's extension
        // server to charger
        "RemoteStartTransaction", "RemoteStopTransaction", "ChangeAvailability", "Reset", "UnlockConnector", "GetConfiguration",
        "ChangeConfiguration", "TriggerMessage", "SetChargingProfile", "ClearChargingProfile", "GetCompositeSchedule",
        "CertificateSigned", "ExtendedTriggerMessage", // the 1.6 security whitepaper's extension
        "UpdateFirmware", "GetDiagnostics", "SendLocalList", "GetLocalListVersion",
        "GetLog", "SignedUpdateFirmware", // the 1.6 security whitepaper's extension
    ],
    // "<containing type>.<property>" first, then "<property>": the 1.6 specification's type names.
    InlineNames: new Dictionary<string, string>
    {
        ["BootNotificationResponse.status"] = "RegistrationStatus",
        ["StatusNotificationRequest.status"] = "ChargePointStatus",
        ["IdTagInfo.status"] = "AuthorizationStatus",
        ["DataTransferResponse.status"] = "DataTransferStatus",
        ["RemoteStartTransactionResponse.status"] = "RemoteStartStopStatus",
        ["RemoteStopTransactionResponse.status"] = "RemoteStartStopStatus",
        ["ChangeAvailabilityRequest.type"] = "AvailabilityType",
        ["ChangeAvailabilityResponse.status"] = "AvailabilityStatus",
        ["ResetRequest.type"] = "ResetType",
        ["ResetResponse.status"] = "ResetStatus",
        ["UnlockConnectorResponse.status"] = "UnlockStatus",
        ["ChangeConfigurationResponse.status"] = "ConfigurationStatus",
        ["TriggerMessageResponse.status"] = "TriggerMessageStatus",
        ["SetChargingProfileResponse.status"] = "ChargingProfileStatus",
        ["ClearChargingProfileResponse.status"] = "ClearChargingProfileStatus",
        ["GetCompositeScheduleResponse.status"] = "GetCompositeScheduleStatus",
        ["FirmwareStatusNotificationRequest.status"] = "FirmwareStatus",
        ["DiagnosticsStatusNotificationRequest.status"] = "DiagnosticsStatus",
        ["LogStatusNotificationRequest.status"] = "UploadLogStatusEnumType",
        ["SignedFirmwareStatusNotificationRequest.status"] = "FirmwareStatusEnumType",
        ["SendLocalListRequest.updateType"] = "UpdateType",
        ["SendLocalListResponse.status"] = "UpdateStatus",
        ["localAuthorizationList"] = "AuthorizationData",
        ["GetLogRequest.logType"] = "LogEnumType",
        ["GetLogResponse.status"] = "LogStatusEnumType",
        ["log"] = "LogParametersType",
        ["firmware"] = "FirmwareType",
        ["SignedUpdateFirmwareResponse.status"] = "UpdateFirmwareStatusEnumType",
        ["errorCode"] = "ChargePointErrorCode",
        ["idTagInfo"] = "IdTagInfo",
        ["meterValue"] = "MeterValue",
        ["transactionData"] = "MeterValue",
        ["sampledValue"] = "SampledValue",
        ["context"] = "ReadingContext",
        ["format"] = "ValueFormat",
        ["measurand"] = "Measurand",
        ["phase"] = "Phase",
        ["location"] = "Location",
        ["unit"] = "UnitOfMeasure",
        ["reason"] = "Reason",
        ["chargingProfile"] = "ChargingProfile",
        ["csChargingProfiles"] = "ChargingProfile",
        ["chargingProfilePurpose"] = "ChargingProfilePurposeType",
        ["chargingProfileKind"] = "ChargingProfileKindType",
        ["recurrencyKind"] = "RecurrencyKindType",
        ["chargingSchedule"] = "ChargingSchedule",
        ["chargingRateUnit"] = "ChargingRateUnitType",
        ["chargingSchedulePeriod"] = "ChargingSchedulePeriod",
        ["configurationKey"] = "KeyValue",
        ["requestedMessage"] = "MessageTrigger",
    });

var ocpp201 = new VersionSpec(
    Folder: "V201",
    Label: "OCPP 2.0.1",
    VersionMember: "Ocpp201",
    SchemaFile: "ocpp2_0_1.json",
    Actions:
    [
        // charger to server
        "BootNotification", "Heartbeat", "StatusNotification", "Authorize", "TransactionEvent", "MeterValues", "NotifyEvent", "DataTransfer",
        // server to charger
        "RequestStartTransaction", "RequestStopTransaction", "ChangeAvailability", "Reset", "UnlockConnector", "TriggerMessage",
        "GetVariables", "SetVariables", "SetChargingProfile", "ClearChargingProfile", "GetCompositeSchedule",
    ],
    InlineNames: []);

var ocpp21 = new VersionSpec(
    Folder: "V21",
    Label: "OCPP 2.1",
    VersionMember: "Ocpp21",
    SchemaFile: "ocpp2_1.json",
    Actions: null, // every action of the schema file, alphabetically
    InlineNames: []);

foreach (VersionSpec spec in new[] { ocpp16, ocpp201, ocpp21 })
{
    new MessageGenerator(spec, repository).Run();
}

static string FindRepositoryRoot()
{
    string? directory = Directory.GetCurrentDirectory();
    while (directory is not null && !File.Exists(Path.Combine(directory, "ParkCharge.slnx")))
    {
        directory = Path.GetDirectoryName(directory);
    }

    return directory ?? throw new InvalidOperationException("Run from inside the repository (ParkCharge.slnx not found).");
}

/// <param name="Actions">The actions to type, charger-to-server first; null for every action of the schema file, alphabetically.</param>
internal sealed record VersionSpec(string Folder, string Label, string VersionMember, string SchemaFile, string[]? Actions, Dictionary<string, string> InlineNames);

internal sealed class TypeModel
{
    public required string Name { get; init; }
    public required string Signature { get; init; }
    public string? Summary { get; init; }
    public List<string>? EnumValues { get; init; }
    public List<PropertyModel> Properties { get; } = [];
    /// <summary>Named types this one's properties use.</summary>
    public List<string> References { get; } = [];
    public bool Open { get; init; }
    public HashSet<string> UsedBy { get; } = [];
}

internal sealed record PropertyModel(string JsonName, string CsName, string CsType, bool Required, bool ValueType, string? Summary);

internal sealed class MessageGenerator(VersionSpec spec, string repository)
{
    private const string Namespace = "ParkCharge.Ocpp";

    private readonly Dictionary<string, TypeModel> _types = [];
    private readonly List<string> _order = [];
    private readonly Dictionary<string, List<string>> _actionFiles = [];
    private readonly HashSet<string> _roots = [];
    private readonly HashSet<string> _sends = [];
    private string[] _actions = [];
    private JsonElement _root;
    private string _action = "";

    /// <summary>"urn:BootNotification.req" (1.6, 2.0.1) or "urn:BootNotificationRequest" (2.1): the action.</summary>
    private static string ActionOf(string id)
    {
        string name = id["urn:".Length..];
        foreach (string suffix in new[] { ".req", ".conf", "Request", "Response" })
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal))
            {
                return name[..^suffix.Length];
            }
        }

        return name;
    }

    /// <summary>The request and response schema ids of a CALL action, as the version's file spells them.</summary>
    private (string Kind, string Id)[] SchemaIds(string action) => spec.SchemaFile == "ocpp2_1.json"
        ? [("Request", $"urn:{action}Request"), ("Response", $"urn:{action}Response")]
        : [("Request", $"urn:{action}.req"), ("Response", $"urn:{action}.conf")];

    private string Header => $"""
        // Generated by tools/GenerateOcppMessages.cs from src/ParkCharge.Ocpp/Schemas/{spec.SchemaFile}
        // (the official {spec.Label} JSON schemas). Do not edit: change the generator or the schema and
        // run `dotnet run tools/GenerateOcppMessages.cs` from the repository root.
        """;

    public void Run()
    {
        using FileStream stream = File.OpenRead(Path.Combine(repository, "src/ParkCharge.Ocpp/Schemas", spec.SchemaFile));
        using JsonDocument document = JsonDocument.Parse(stream);
        var schemas = new Dictionary<string, JsonElement>();
        foreach (JsonElement schema in document.RootElement.EnumerateArray())
        {
            schemas.Add(schema.GetProperty("$id").GetString()!, schema);
        }

        _actions = spec.Actions ?? [.. schemas.Keys.Select(ActionOf).Distinct().Order(StringComparer.Ordinal)];
        foreach (string action in _actions)
        {
            _action = action;
            _actionFiles[action] = [];
            if (schemas.TryGetValue($"urn:{action}", out JsonElement send))
            {
                // A SEND (OCPP-J 2.1 §4.2.4): one schema, named like the action, never answered.
                _root = send;
                _sends.Add(action);
                _roots.Add(action);
                AddObject(action, _root, $"The payload of a {action} SEND, which is never answered ({spec.Label} schema urn:{action}).");
                _actionFiles[action].Add(action);
                continue;
            }

            foreach ((string kind, string id) in SchemaIds(action))
            {
                _root = schemas[id];
                string name = action + kind;
                string summary = $"The payload of {(kind == "Request" ? "a" : "the")} {action} {(kind == "Request" ? "CALL" : "CALLRESULT")} ({spec.Label} schema {id}).";
                _roots.Add(name);
                AddObject(name, _root, summary);
                _actionFiles[action].Add(name);
            }
        }

        string folder = Path.Combine(repository, "src/ParkCharge.Ocpp", spec.Folder);
        Directory.CreateDirectory(folder);
        foreach (string stale in Directory.GetFiles(folder, "*.cs"))
        {
            if (File.ReadAllText(stale).StartsWith("// Generated by tools/GenerateOcppMessages.cs", StringComparison.Ordinal))
            {
                File.Delete(stale);
            }
        }

        var shared = new List<string>();
        var sharedEnums = new List<string>();
        foreach (string name in _order)
        {
            TypeModel type = _types[name];
            if (_roots.Contains(name))
            {
                continue;
            }

            if (type.UsedBy.Count == 1)
            {
                _actionFiles[type.UsedBy.First()].Add(name);
            }
            else if (type.EnumValues is not null)
            {
                sharedEnums.Add(name);
            }
            else
            {
                shared.Add(name);
            }
        }

        foreach ((string action, List<string> names) in _actionFiles)
        {
            Write(Path.Combine(folder, action + ".cs"), names);
        }

        Write(Path.Combine(folder, "DataTypes.cs"), shared);
        Write(Path.Combine(folder, "Enumerations.cs"), sharedEnums);
        WriteContext(folder);
        WriteCatalogue(folder);
    }

    private string AddObject(string name, JsonElement schema, string? summary)
    {
        string signature = Signature(schema);
        if (_types.TryGetValue(name, out TypeModel? existing))
        {
            if (existing.Signature != signature)
            {
                throw new InvalidOperationException($"{spec.Label}: two different schemas would both be named {name}.");
            }

            MarkUsed(name);
            return name;
        }

        var type = new TypeModel
        {
            Name = name,
            Signature = signature,
            Summary = summary,
            Open = !(schema.TryGetProperty("additionalProperties", out JsonElement additional) && additional.ValueKind == JsonValueKind.False),
        };
        if (!_roots.Contains(name))
        {
            type.UsedBy.Add(_action);
        }

        _types.Add(name, type);
        _order.Add(name);

        var required = new HashSet<string>();
        if (schema.TryGetProperty("required", out JsonElement requiredNames))
        {
            foreach (JsonElement requiredName in requiredNames.EnumerateArray())
            {
                required.Add(requiredName.GetString()!);
            }
        }

        if (schema.TryGetProperty("properties", out JsonElement properties))
        {
            foreach (JsonProperty property in properties.EnumerateObject())
            {
                (string csType, bool valueType, string? named) = TypeOf(name, property.Name, property.Value);
                if (named is not null)
                {
                    type.References.Add(named);
                }

                string csName = Pascal(property.Name);
                if (csName == name)
                {
                    throw new InvalidOperationException($"{name}.{csName}: a member cannot be named like its type.");
                }

                type.Properties.Add(new PropertyModel(property.Name, csName, csType, required.Contains(property.Name), valueType,
                    Describe(property.Value)));
            }
        }

        return name;
    }

    /// <summary>A type met again from another action: it and everything it uses now serve that action too.</summary>
    private void MarkUsed(string name)
    {
        TypeModel type = _types[name];
        if (type.UsedBy.Add(_action))
        {
            foreach (string reference in type.References)
            {
                MarkUsed(reference);
            }
        }
    }

    private (string Type, bool ValueType, string? Named) TypeOf(string owner, string property, JsonElement schema)
    {
        string? definition = null;
        if (schema.TryGetProperty("$ref", out JsonElement reference))
        {
            definition = reference.GetString()!["#/definitions/".Length..];
            schema = _root.GetProperty("definitions").GetProperty(definition);
        }

        if (!schema.TryGetProperty("type", out JsonElement type))
        {
            return ("JsonElement", true, null);
        }

        switch (type.GetString())
        {
            case "object":
                string record = AddObject(definition ?? InlineName(owner, property), schema, Describe(schema));
                return (record, false, record);
            case "array":
                (string item, _, string? itemType) = TypeOf(owner, property, schema.GetProperty("items"));
                return ($"IReadOnlyList<{item}>", false, itemType);
            case "string" when schema.TryGetProperty("enum", out JsonElement values):
                string enumeration = AddEnum(definition ?? InlineName(owner, property), schema, values);
                return (enumeration, true, enumeration);
            case "string" when schema.TryGetProperty("format", out JsonElement format) && format.GetString() == "date-time":
                return ("DateTimeOffset", true, null);
            case "string":
                return ("string", false, null);
            case "integer":
                return ("int", true, null);
            case "number":
                return ("decimal", true, null);
            case "boolean":
                return ("bool", true, null);
            default:
                throw new InvalidOperationException($"{owner}.{property}: unsupported type {type}.");
        }
    }

    private string AddEnum(string name, JsonElement schema, JsonElement values)
    {
        string signature = Signature(schema);
        if (_types.TryGetValue(name, out TypeModel? existing))
        {
            if (existing.Signature != signature)
            {
                throw new InvalidOperationException($"{spec.Label}: two different enumerations would both be named {name}.");
            }

            MarkUsed(name);
            return name;
        }

        var type = new TypeModel
        {
            Name = name,
            Signature = signature,
            Summary = Describe(schema),
            EnumValues = [.. values.EnumerateArray().Select(static v => v.GetString()!)],
        };
        type.UsedBy.Add(_action);
        _types.Add(name, type);
        _order.Add(name);
        return name;
    }

    private string InlineName(string owner, string property) =>
        spec.InlineNames.TryGetValue($"{owner}.{property}", out string? name) || spec.InlineNames.TryGetValue(property, out name)
            ? name
            : throw new InvalidOperationException($"{spec.Label}: no type name for the inline schema of {owner}.{property}; add one to InlineNames.");

    private void Write(string path, List<string> names)
    {
        var code = new StringBuilder();
        code.AppendLine(Header);
        code.AppendLine();
        bool usesJson = names.Any(n => _types[n].EnumValues is not null || _types[n].Open || _types[n].Properties.Any(static p => p.CsType.Contains("JsonElement", StringComparison.Ordinal)));
        if (usesJson)
        {
            if (names.Any(n => _types[n].Open || _types[n].Properties.Any(static p => p.CsType.Contains("JsonElement", StringComparison.Ordinal))))
            {
                code.AppendLine("using System.Text.Json;");
            }

            code.AppendLine("using System.Text.Json.Serialization;");
            code.AppendLine();
        }

        code.AppendLine(CultureInfo.InvariantCulture, $"namespace {Namespace}.{spec.Folder};");
        foreach (string name in names)
        {
            code.AppendLine();
            TypeModel type = _types[name];
            if (type.EnumValues is not null)
            {
                WriteEnum(code, type);
            }
            else
            {
                WriteRecord(code, type);
            }
        }

        File.WriteAllText(path, AsFile(code));
    }

    private static void WriteRecord(StringBuilder code, TypeModel type)
    {
        WriteSummary(code, "", type.Summary);
        if (type.Properties.Count == 0 && !type.Open)
        {
            code.AppendLine(CultureInfo.InvariantCulture, $"public sealed record {type.Name};");
            return;
        }

        code.AppendLine(CultureInfo.InvariantCulture, $"public sealed record {type.Name}");
        code.AppendLine("{");
        bool first = true;
        foreach (PropertyModel property in type.Properties)
        {
            if (!first)
            {
                code.AppendLine();
            }

            first = false;
            WriteSummary(code, "    ", property.Summary);
            if (JsonNamingPolicy.CamelCase.ConvertName(property.CsName) != property.JsonName)
            {
                code.AppendLine(CultureInfo.InvariantCulture, $"    [JsonPropertyName(\"{property.JsonName}\")]");
            }

            string nullable = property.Required ? "" : "?";
            string modifier = property.Required ? "required " : "";
            code.AppendLine(CultureInfo.InvariantCulture, $"    public {modifier}{property.CsType}{nullable} {property.CsName} {{ get; init; }}");
        }

        if (type.Open)
        {
            if (!first)
            {
                code.AppendLine();
            }

            code.AppendLine("    /// <summary>Members beyond the schema's own, which it allows here (kept so that nothing is lost on a round trip).</summary>");
            code.AppendLine("    /// <remarks>Settable because System.Text.Json cannot fill extension data through an init accessor.</remarks>");
            code.AppendLine("    [JsonExtensionData]");
            code.AppendLine("    public IDictionary<string, JsonElement>? Extensions { get; set; }");
        }

        code.AppendLine("}");
    }

    private static void WriteEnum(StringBuilder code, TypeModel type)
    {
        WriteSummary(code, "", type.Summary);
        code.AppendLine(CultureInfo.InvariantCulture, $"[JsonConverter(typeof(JsonStringEnumConverter<{type.Name}>))]");
        code.AppendLine(CultureInfo.InvariantCulture, $"public enum {type.Name}");
        code.AppendLine("{");
        var members = new HashSet<string>();
        foreach (string value in type.EnumValues!)
        {
            string member = Identifier(value);
            if (!members.Add(member))
            {
                throw new InvalidOperationException($"{type.Name}: two values map to the member {member}.");
            }

            if (member != value)
            {
                code.AppendLine(CultureInfo.InvariantCulture, $"    [JsonStringEnumMemberName(\"{value}\")]");
            }

            code.AppendLine(CultureInfo.InvariantCulture, $"    {member},");
        }

        code.AppendLine("}");
    }

    private void WriteContext(string folder)
    {
        var code = new StringBuilder();
        code.AppendLine(Header);
        code.AppendLine();
        code.AppendLine("using System.Text.Json.Serialization;");
        code.AppendLine();
        code.AppendLine("using ParkCharge.Ocpp.Messages;");
        code.AppendLine();
        code.AppendLine(CultureInfo.InvariantCulture, $"namespace {Namespace}.{spec.Folder};");
        code.AppendLine();
        code.AppendLine(CultureInfo.InvariantCulture, $"/// <summary>");
        code.AppendLine(CultureInfo.InvariantCulture, $"/// Source-generated (de)serialization of the {spec.Label} messages: camelCase names as in the schemas,");
        code.AppendLine("/// absent optional fields omitted, enums as their protocol strings, unknown members refused");
        code.AppendLine("/// (the schemas forbid them), date-times as RFC 3339 via <see cref=\"OcppTimestampConverter\"/>, integers");
        code.AppendLine("/// as JSON Schema counts them via <see cref=\"OcppIntegerConverter\"/>, numbers beyond decimal as its");
        code.AppendLine("/// out-of-range marker via <see cref=\"OcppDecimalConverter\"/>.");
        code.AppendLine("/// </summary>");
        code.AppendLine("[JsonSourceGenerationOptions(");
        code.AppendLine("    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,");
        code.AppendLine("    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,");
        code.AppendLine("    RespectNullableAnnotations = true,");
        code.AppendLine("    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,");
        code.AppendLine("    Converters = [typeof(OcppTimestampConverter), typeof(OcppIntegerConverter), typeof(OcppDecimalConverter)])]");
        foreach (string action in _actions)
        {
            if (_sends.Contains(action))
            {
                code.AppendLine(CultureInfo.InvariantCulture, $"[JsonSerializable(typeof({action}))]");
                continue;
            }

            code.AppendLine(CultureInfo.InvariantCulture, $"[JsonSerializable(typeof({action}Request))]");
            code.AppendLine(CultureInfo.InvariantCulture, $"[JsonSerializable(typeof({action}Response))]");
        }

        code.AppendLine(CultureInfo.InvariantCulture, $"public sealed partial class {spec.Folder}JsonContext : JsonSerializerContext;");
        File.WriteAllText(Path.Combine(folder, $"{spec.Folder}JsonContext.cs"), AsFile(code));
    }

    private void WriteCatalogue(string folder)
    {
        var code = new StringBuilder();
        code.AppendLine(Header);
        code.AppendLine();
        code.AppendLine("using ParkCharge.Core.Charging;");
        code.AppendLine("using ParkCharge.Ocpp.Messages;");
        code.AppendLine();
        code.AppendLine(CultureInfo.InvariantCulture, $"namespace {Namespace}.{spec.Folder};");
        code.AppendLine();
        code.AppendLine(CultureInfo.InvariantCulture, $"/// <summary>The typed {spec.Label} actions: name, request and response type in one value.</summary>");
        code.AppendLine(CultureInfo.InvariantCulture, $"public static class {spec.Folder}Actions");
        code.AppendLine("{");
        foreach (string action in _actions)
        {
            if (_sends.Contains(action))
            {
                code.AppendLine(CultureInfo.InvariantCulture,
                    $"    public static OcppSendAction<{spec.Folder}.{action}> {action} {{ get; }} =");
                code.AppendLine(CultureInfo.InvariantCulture,
                    $"        new(\"{action}\", OcppVersion.{spec.VersionMember}, {spec.Folder}JsonContext.Default.{action});");
                code.AppendLine();
                continue;
            }

            code.AppendLine(CultureInfo.InvariantCulture,
                $"    public static OcppAction<{action}Request, {action}Response> {action} {{ get; }} =");
            code.AppendLine(CultureInfo.InvariantCulture,
                $"        new(\"{action}\", OcppVersion.{spec.VersionMember}, {spec.Folder}JsonContext.Default.{action}Request, {spec.Folder}JsonContext.Default.{action}Response);");
            code.AppendLine();
        }

        code.AppendLine(spec.Actions is null
            ? "    /// <summary>Every action above, alphabetically.</summary>"
            : "    /// <summary>Every action above, in the order charger-to-server, then server-to-charger.</summary>");
        code.AppendLine("    public static IReadOnlyList<OcppAction> All { get; } =");
        code.AppendLine("    [");
        foreach (string action in _actions)
        {
            code.AppendLine(CultureInfo.InvariantCulture, $"        {action},");
        }

        code.AppendLine("    ];");
        code.AppendLine("}");
        File.WriteAllText(Path.Combine(folder, $"{spec.Folder}Actions.cs"), AsFile(code));
    }

    /// <summary>One final newline, as the repository's .editorconfig wants (insert_final_newline = true).</summary>
    private static string AsFile(StringBuilder code) => code.ToString().TrimEnd() + "\n";

    private static void WriteSummary(StringBuilder code, string indent, string? summary)
    {
        if (string.IsNullOrWhiteSpace(summary))
        {
            return;
        }

        string xml = summary.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
        code.AppendLine(CultureInfo.InvariantCulture, $"{indent}/// <summary>{xml}</summary>");
    }

    /// <summary>
    /// The schema description without the OCA generator's data-dictionary lines ("Transaction.
    /// State. Transaction_ State_ Code" followed by "urn:x-oca:ocpp:uid:..."), on one line.
    /// </summary>
    private static string? Describe(JsonElement schema)
    {
        if (!schema.TryGetProperty("description", out JsonElement description))
        {
            return null;
        }

        string[] lines = WebUtility.HtmlDecode(description.GetString()!).Replace("\r", "", StringComparison.Ordinal).Split('\n');
        var kept = new List<string>();
        for (int i = 0; i < lines.Length; i++)
        {
            bool dictionaryHeader = i + 1 < lines.Length && lines[i + 1].StartsWith("urn:", StringComparison.Ordinal);
            if (!dictionaryHeader && !lines[i].StartsWith("urn:", StringComparison.Ordinal) && lines[i].Trim().Length > 0)
            {
                kept.Add(lines[i].Trim());
            }
        }

        // The specification's AsciiDoc cross-references, <<anchor,Text>> or <<anchor>>, become their text.
        string text = Regex.Replace(string.Join(' ', kept), "<<([^,>]+),\\s*([^>]+)>>", "$2");
        text = Regex.Replace(text, "<<([^>]+)>>", "$1");
        return kept.Count == 0 ? null : text;
    }

    /// <summary>The schema without its descriptions: two inline schemas share a type only if this matches.</summary>
    private string Signature(JsonElement schema)
    {
        var text = new StringBuilder();
        Append(schema);
        return text.ToString();

        void Append(JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    text.Append('{');
                    foreach (JsonProperty property in element.EnumerateObject().OrderBy(static p => p.Name, StringComparer.Ordinal))
                    {
                        if (property.Name is "description" or "$id" or "$schema" or "definitions")
                        {
                            continue;
                        }

                        text.Append(property.Name).Append(':');
                        if (property.Name == "$ref")
                        {
                            Append(_root.GetProperty("definitions").GetProperty(property.Value.GetString()!["#/definitions/".Length..]));
                        }
                        else
                        {
                            Append(property.Value);
                        }

                        text.Append(',');
                    }

                    text.Append('}');
                    break;
                case JsonValueKind.Array:
                    text.Append('[');
                    foreach (JsonElement item in element.EnumerateArray())
                    {
                        Append(item);
                        text.Append(',');
                    }

                    text.Append(']');
                    break;
                default:
                    text.Append(element.GetRawText());
                    break;
            }
        }
    }

    /// <summary>"idToken" -> IdToken, "limit_L2" -> LimitL2 (2.1's per-phase fields; C# names carry no underscores).</summary>
    private static string Pascal(string name) =>
        string.Concat(name.Split('_', StringSplitOptions.RemoveEmptyEntries).Select(static part => char.ToUpperInvariant(part[0]) + part[1..]));

    /// <summary>"Energy.Active.Import.Register" -> EnergyActiveImportRegister, "L1-N" -> L1N, "eMAID" -> EMAID.</summary>
    private static string Identifier(string value)
    {
        var identifier = new StringBuilder();
        bool upperNext = true;
        foreach (char c in value)
        {
            if (!char.IsLetterOrDigit(c))
            {
                upperNext = true;
                continue;
            }

            identifier.Append(upperNext ? char.ToUpperInvariant(c) : c);
            upperNext = false;
        }

        if (identifier.Length == 0 || char.IsDigit(identifier[0]))
        {
            throw new InvalidOperationException($"Enum value \"{value}\" has no natural C# name.");
        }

        return identifier.ToString();
    }
}