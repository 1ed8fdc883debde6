using System.Text.Json;
using System.Text.Json.Serialization;

namespace ParkCharge.Ocpp.Messages;

/// <summary>
/// Reads OCPP number fields (JSON Schema <c>number</c>, held as <see cref="decimal"/>). The schemas set
/// no upper bound, so <c>1e300</c> passes validation though no decimal holds it: such a number reads as
/// ±<see cref="decimal.MaxValue"/> instead of failing the whole message (a TransactionEvent refused over
/// one absurd meter value would be retried and then dropped by the charger). That marker lies beyond
/// <see cref="Core.Charging.MeterSample.MaxMagnitude"/>, so the engine leaves the value out and flags
/// it. Numbers too small for decimal read as 0, as decimal parsing does.
/// </summary>
public sealed class OcppDecimalConverter : JsonConverter<decimal>
{
    public override decimal Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.Number)
        {
            throw new JsonException("An OCPP number must be a JSON number.");
        }

        if (reader.TryGetDecimal(out decimal value))
        {
            return value;
        }

        // A syntactically valid number beyond decimal's range: only its sign is worth keeping.
        bool negative = reader.HasValueSequence ? reader.ValueSequence.FirstSpan[0] == (byte)'-' : reader.ValueSpan[0] == (byte)'-';
        return negative ? decimal.MinValue : decimal.MaxValue;
    }

    public override void Write(Utf8JsonWriter writer, decimal value, JsonSerializerOptions options) => writer.WriteNumberValue(value);
}
