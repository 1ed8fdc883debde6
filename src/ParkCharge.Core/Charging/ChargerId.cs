using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ParkCharge.Core.Charging;

/// <summary>
/// A charge point's identity as it appears in its OCPP URL (<c>/ocpp/{chargePointId}</c>).
/// OCPP allows up to 48 characters (2.0.1 identifierString; 1.6 chargeBoxIdentity is CiString48Type).
/// </summary>
[JsonConverter(typeof(ChargerIdJsonConverter))]
public readonly record struct ChargerId
{
    public ChargerId(string value)
    {
        if (!IsValid(value))
        {
            throw new ArgumentException(
                $"A charger id is 1 to 48 printable ASCII characters without '/', ':' or spaces; '{value}' is not.", nameof(value));
        }

        Value = value;
    }

    public string Value { get; }

    /// <summary>
    /// OCPP 2.0.1 part 4 §3.1.1: the identity is an "identifierString" (letters, digits and
    /// <c>*-_=:+|@.</c>); real 1.6 chargers also use other printable characters. We refuse only what
    /// breaks URLs and Basic auth (a ':' cannot be in a Basic-auth user name).
    /// </summary>
    public static bool IsValid([NotNullWhen(true)] string? value) =>
        !string.IsNullOrEmpty(value) && value.Length <= 48 && value.All(c => c is > ' ' and < (char)127 and not '/' and not ':' and not '?' and not '#' and not '%');

    public override string ToString() => Value;
}

public sealed class ChargerIdJsonConverter : JsonConverter<ChargerId>
{
    public override ChargerId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        new(reader.GetString()!);

    public override void Write(Utf8JsonWriter writer, ChargerId value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Value);

    public override ChargerId ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        new(reader.GetString()!);

    public override void WriteAsPropertyName(Utf8JsonWriter writer, ChargerId value, JsonSerializerOptions options) =>
        writer.WritePropertyName(value.Value);
}
