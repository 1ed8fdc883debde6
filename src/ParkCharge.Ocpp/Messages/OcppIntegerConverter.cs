using System.Text.Json;
using System.Text.Json.Serialization;

namespace ParkCharge.Ocpp.Messages;

/// <summary>
/// Reads OCPP integer fields the way the schemas define integers (JSON Schema draft-07: any
/// number with a zero fraction), so <c>1250.0</c> or <c>1.25e3</c>, which chargers whose JSON
/// library writes floats do send, read as 1250 instead of failing after passing validation.
/// Values outside Int32 still fail; the connection answers them with PropertyConstraintViolation.
/// </summary>
public sealed class OcppIntegerConverter : JsonConverter<int>
{
    public override int Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.Number)
        {
            throw new JsonException("An OCPP integer must be a JSON number.");
        }

        if (reader.TryGetInt32(out int value))
        {
            return value;
        }

        return reader.TryGetDecimal(out decimal number) && decimal.Truncate(number) == number && number is >= int.MinValue and <= int.MaxValue
            ? (int)number
            : throw new JsonException("The number is not an integer within the range of Int32.");
    }

    public override void Write(Utf8JsonWriter writer, int value, JsonSerializerOptions options) => writer.WriteNumberValue(value);
}
