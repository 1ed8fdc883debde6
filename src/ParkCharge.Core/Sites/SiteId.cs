using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ParkCharge.Core.Sites;

/// <summary>A car park. Every observation, event and sequence number belongs to exactly one site.</summary>
[JsonConverter(typeof(SiteIdJsonConverter))]
public readonly record struct SiteId
{
    /// <summary>Where chargers go that are registered without a site (and auto-registered ones).</summary>
    public static readonly SiteId Default = new("default");

    public SiteId(string value)
    {
        if (!IsValid(value))
        {
            throw new ArgumentException(
                $"A site id is 1 to 64 characters of a-z, 0-9, '-' and '_'; '{value}' is not.", nameof(value));
        }

        Value = value;
    }

    public string Value { get; }

    /// <summary>Site ids appear in URLs, file names and log keys, so they are kept to a safe alphabet.</summary>
    public static bool IsValid([NotNullWhen(true)] string? value) =>
        !string.IsNullOrEmpty(value) && value.Length <= 64 && value.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_');

    public override string ToString() => Value;
}

public sealed class SiteIdJsonConverter : JsonConverter<SiteId>
{
    public override SiteId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        new(reader.GetString()!);

    public override void Write(Utf8JsonWriter writer, SiteId value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Value);

    public override SiteId ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        new(reader.GetString()!);

    public override void WriteAsPropertyName(Utf8JsonWriter writer, SiteId value, JsonSerializerOptions options) =>
        writer.WritePropertyName(value.Value);
}
