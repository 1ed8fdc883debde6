using System.Collections.Frozen;
using System.Reflection;
using System.Text.Json.Serialization;

namespace ParkCharge.Ocpp.CentralSystem;

/// <summary>
/// The protocol's own spelling of an enum value (<c>Energy.Active.Import.Register</c>, <c>L1-N</c>,
/// <c>kWh</c>): the <see cref="JsonStringEnumMemberNameAttribute"/> name where there is one, else
/// the member name. Looked up once per enum type.
/// </summary>
public static class WireNames
{
    public static string Of<TEnum>(TEnum value)
        where TEnum : struct, Enum => Names<TEnum>.Map[value];

    public static string? Of<TEnum>(TEnum? value)
        where TEnum : struct, Enum => value is { } v ? Of(v) : null;

    private static class Names<TEnum>
        where TEnum : struct, Enum
    {
        public static readonly FrozenDictionary<TEnum, string> Map = typeof(TEnum)
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .ToFrozenDictionary(
                f => (TEnum)f.GetValue(null)!,
                f => f.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? f.Name);
    }
}
