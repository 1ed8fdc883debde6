using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ParkCharge.Ocpp.Validation;

/// <summary>
/// Turns one schema of the OCPP schema files into a <see cref="SchemaNode"/> tree. It knows
/// exactly the keywords those files use and throws on anything else, so that a new schema
/// version needing more than this subset is noticed at load, not silently under-validated.
/// </summary>
internal sealed class SchemaCompiler
{
    /// <summary>Annotations without effect on validation (draft-07 §10, plus the OCA generator's own).</summary>
    private static readonly HashSet<string> AnnotationKeywords =
        ["description", "default", "javaType", "comment", "$comment", "title", "examples"];

    private readonly string _schemaId;
    private readonly JsonElement _definitions;
    private readonly Dictionary<string, SchemaNode> _compiledDefinitions = [];
    private readonly HashSet<string> _definitionsInProgress = [];

    private SchemaCompiler(string schemaId, JsonElement definitions)
    {
        _schemaId = schemaId;
        _definitions = definitions;
    }

    /// <summary>Compiles a root schema: one element of the file's array, with <c>$id</c> and optional <c>definitions</c>.</summary>
    public static SchemaNode CompileRoot(JsonElement schema)
    {
        string id = schema.TryGetProperty("$id", out JsonElement idElement) && idElement.ValueKind == JsonValueKind.String
            ? idElement.GetString()!
            : throw new InvalidDataException("An OCPP schema has no $id.");
        schema.TryGetProperty("definitions", out JsonElement definitions);
        return new SchemaCompiler(id, definitions).Compile(schema, "#", isRoot: true);
    }

    private SchemaNode Compile(JsonElement schema, string location, bool isRoot = false)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            throw Unsupported(location, "a schema that is not an object");
        }

        if (schema.TryGetProperty("$ref", out JsonElement reference))
        {
            foreach (JsonProperty keyword in schema.EnumerateObject())
            {
                // Draft-07 ignores siblings of $ref; a schema relying on them would mean something else in later drafts.
                if (keyword.Name != "$ref" && !AnnotationKeywords.Contains(keyword.Name))
                {
                    throw Unsupported(location, $"keyword \"{keyword.Name}\" next to $ref");
                }
            }

            return Resolve(reference.GetString() ?? "", location);
        }

        JsonTypes types = JsonTypes.Any;
        SchemaProperty[] properties = [];
        bool additionalPropertiesAllowed = true;
        string[] requiredNames = [];
        SchemaNode? items = null;
        int minItems = 0, maxItems = int.MaxValue, minLength = 0, maxLength = int.MaxValue;
        SchemaEnumValue[]? enumValues = null;
        StringFormat format = StringFormat.None;
        decimal? minimum = null, maximum = null;
        double? multipleOf = null;

        foreach (JsonProperty keyword in schema.EnumerateObject())
        {
            JsonElement value = keyword.Value;
            string at = $"{location}/{keyword.Name}";
            switch (keyword.Name)
            {
                case "type":
                    types = ReadTypes(value, at);
                    break;
                case "properties":
                    properties = ReadProperties(value, at);
                    break;
                case "additionalProperties":
                    additionalPropertiesAllowed = value.ValueKind switch
                    {
                        JsonValueKind.True => true,
                        JsonValueKind.False => false,
                        _ => throw Unsupported(at, "additionalProperties given as a schema"),
                    };
                    break;
                case "required":
                    requiredNames = ReadStrings(value, at);
                    break;
                case "enum":
                    enumValues = ReadEnum(value, at);
                    break;
                case "maxLength":
                    maxLength = ReadCount(value, at);
                    break;
                case "minLength":
                    minLength = ReadCount(value, at);
                    break;
                case "minimum":
                    minimum = ReadNumber(value, at);
                    break;
                case "maximum":
                    maximum = ReadNumber(value, at);
                    break;
                case "multipleOf":
                    multipleOf = (double)ReadNumber(value, at);
                    if (multipleOf <= 0)
                    {
                        throw Unsupported(at, "a multipleOf that is not positive");
                    }

                    break;
                case "items":
                    items = value.ValueKind == JsonValueKind.Object
                        ? Compile(value, at)
                        : throw Unsupported(at, "items given as an array (tuple validation)");
                    break;
                case "additionalItems":
                    // Draft-07 §6.4.2: ignored when "items" is a single schema; checked below.
                    break;
                case "minItems":
                    minItems = ReadCount(value, at);
                    break;
                case "maxItems":
                    maxItems = ReadCount(value, at);
                    break;
                case "format":
                    format = value.GetString() switch
                    {
                        "date-time" => StringFormat.DateTime,
                        "uri" => StringFormat.Uri,
                        _ => throw Unsupported(at, $"format \"{value.GetString()}\""),
                    };
                    break;
                case "$schema" or "$id" or "definitions" when isRoot:
                    break;
                default:
                    if (!AnnotationKeywords.Contains(keyword.Name))
                    {
                        throw Unsupported(at, $"keyword \"{keyword.Name}\"");
                    }

                    break;
            }
        }

        if (schema.TryGetProperty("additionalItems", out _) && items is null)
        {
            throw Unsupported(location, "additionalItems without a single-schema items");
        }

        if (properties.Length > 64)
        {
            throw Unsupported(location, "more than 64 properties in one object");
        }

        var required = new int[requiredNames.Length];
        ulong requiredMask = 0;
        for (int i = 0; i < requiredNames.Length; i++)
        {
            required[i] = Array.FindIndex(properties, p => p.Name == requiredNames[i]);
            if (required[i] < 0)
            {
                // Legal JSON Schema, but with additionalProperties false it could never be met.
                throw Unsupported(location, $"required property \"{requiredNames[i]}\" that is not in properties");
            }

            requiredMask |= 1UL << required[i];
        }

        return new SchemaNode
        {
            Types = types,
            Properties = properties,
            AdditionalPropertiesAllowed = additionalPropertiesAllowed,
            Required = required,
            RequiredMask = requiredMask,
            Items = items,
            MinItems = minItems,
            MaxItems = maxItems,
            Enum = enumValues,
            EnumList = enumValues is null ? "" : string.Join(", ", enumValues.Select(static v => v.Text)),
            MinLength = minLength,
            MaxLength = maxLength,
            Format = format,
            Minimum = minimum,
            Maximum = maximum,
            MultipleOf = multipleOf,
        };
    }

    private SchemaNode Resolve(string reference, string location)
    {
        const string prefix = "#/definitions/";
        if (!reference.StartsWith(prefix, StringComparison.Ordinal) || reference.IndexOf('/', prefix.Length) >= 0)
        {
            throw Unsupported(location, $"$ref \"{reference}\" (only #/definitions/<name> is supported)");
        }

        string name = reference[prefix.Length..];
        if (_compiledDefinitions.TryGetValue(name, out SchemaNode? compiled))
        {
            return compiled;
        }

        if (_definitions.ValueKind != JsonValueKind.Object || !_definitions.TryGetProperty(name, out JsonElement definition))
        {
            throw new InvalidDataException($"{_schemaId}{location}: $ref \"{reference}\" points to no definition.");
        }

        if (!_definitionsInProgress.Add(name))
        {
            throw Unsupported(location, $"recursive $ref \"{reference}\"");
        }

        compiled = Compile(definition, reference);
        _definitionsInProgress.Remove(name);
        _compiledDefinitions[name] = compiled;
        return compiled;
    }

    private SchemaProperty[] ReadProperties(JsonElement value, string at)
    {
        var properties = new List<SchemaProperty>();
        foreach (JsonProperty property in value.EnumerateObject())
        {
            properties.Add(new SchemaProperty(property.Name, Encoding.UTF8.GetBytes(property.Name),
                Compile(property.Value, $"{at}/{property.Name}")));
        }

        return [.. properties];
    }

    private JsonTypes ReadTypes(JsonElement value, string at)
    {
        if (value.ValueKind == JsonValueKind.Array)
        {
            JsonTypes types = JsonTypes.Any;
            foreach (JsonElement item in value.EnumerateArray())
            {
                types |= ReadTypes(item, at);
            }

            return types;
        }

        return value.GetString() switch
        {
            "object" => JsonTypes.Object,
            "array" => JsonTypes.Array,
            "string" => JsonTypes.String,
            "number" => JsonTypes.Number,
            "integer" => JsonTypes.Integer,
            "boolean" => JsonTypes.Boolean,
            "null" => JsonTypes.Null,
            _ => throw Unsupported(at, $"type {value.GetRawText()}"),
        };
    }

    private SchemaEnumValue[] ReadEnum(JsonElement value, string at)
    {
        var values = new List<SchemaEnumValue>();
        foreach (JsonElement item in value.EnumerateArray())
        {
            string text = item.ValueKind == JsonValueKind.String
                ? item.GetString()!
                : throw Unsupported(at, "an enum value that is not a string");
            values.Add(new SchemaEnumValue(text, Encoding.UTF8.GetBytes(text)));
        }

        return [.. values];
    }

    private string[] ReadStrings(JsonElement value, string at)
    {
        var strings = new List<string>();
        foreach (JsonElement item in value.EnumerateArray())
        {
            strings.Add(item.GetString() ?? throw Unsupported(at, "a required entry that is not a string"));
        }

        return [.. strings];
    }

    private int ReadCount(JsonElement value, string at) =>
        value.TryGetInt32(out int count) && count >= 0 ? count : throw Unsupported(at, $"count {value.GetRawText()}");

    private decimal ReadNumber(JsonElement value, string at) =>
        value.TryGetDecimal(out decimal number) ? number : throw Unsupported(at, $"number {value.GetRawText()}");

    private InvalidDataException Unsupported(string location, string what) =>
        new(string.Create(CultureInfo.InvariantCulture,
            $"{_schemaId}{location}: {what} is not supported by the compiled OCPP validator; extend Validation/SchemaCompiler before using this schema."));
}
