using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;

using ParkCharge.Ocpp.Validation;

namespace ParkCharge.Ocpp.Messages;

/// <summary>
/// Reads and writes OCPP date-time fields with the same RFC 3339 rules the schema validator
/// applies, so every timestamp the validator accepts can be read (System.Text.Json's own
/// parser refuses a space separator and accepts a missing offset, the reverse of what we want).
/// Writes the offset the value carries (<c>Z</c> for UTC, as OCPP 2.0.1 Part 2 §2.1 recommends)
/// and only as many fraction digits as needed.
/// </summary>
public sealed class OcppTimestampConverter : JsonConverter<DateTimeOffset>
{
    private const int MaxFormattedLength = 40;

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException("An OCPP date-time must be a JSON string.");
        }

        int length = reader.HasValueSequence ? checked((int)reader.ValueSequence.Length) : reader.ValueSpan.Length;
        byte[]? rented = null;
        Span<byte> buffer = length <= 64 ? stackalloc byte[64] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            int written = reader.CopyString(buffer);
            if (!Rfc3339Timestamp.TryParse(buffer[..written], out Rfc3339Timestamp timestamp))
            {
                throw new JsonException("Not an RFC 3339 date-time with offset.");
            }

            return timestamp.TryToDateTimeOffset(out DateTimeOffset value)
                ? value
                : throw new JsonException("The date-time is outside the years 1 to 9999.");
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        // Written raw: digits, '-', ':', '.', 'T', 'Z' and '+' never need escaping, but the default
        // encoder would turn '+' into \u002B, which naive charger parsers stumble over.
        Span<byte> buffer = stackalloc byte[MaxFormattedLength];
        buffer[0] = (byte)'"';
        int length = 1 + Rfc3339Timestamp.Format(value, buffer[1..]);
        buffer[length++] = (byte)'"';
        writer.WriteRawValue(buffer[..length], skipInputValidation: true);
    }
}
