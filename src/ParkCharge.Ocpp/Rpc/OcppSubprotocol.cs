using ParkCharge.Core.Charging;

namespace ParkCharge.Ocpp.Rpc;

/// <summary>
/// The WebSocket subprotocol that names the OCPP version of a connection (OCPP-J 1.6 §3.1.2,
/// 2.0.1 and 2.1 §3.1.2): the charger offers one or more in <c>Sec-WebSocket-Protocol</c>, the
/// central system picks one.
/// </summary>
public static class OcppSubprotocol
{
    public const string Ocpp16 = "ocpp1.6";
    public const string Ocpp201 = "ocpp2.0.1";
    public const string Ocpp21 = "ocpp2.1";

    /// <summary>The versions ParkCharge speaks, in the order it prefers them when a charger offers several: the newest first.</summary>
    public static IReadOnlyList<OcppVersion> Preference { get; } = [OcppVersion.Ocpp21, OcppVersion.Ocpp201, OcppVersion.Ocpp16];

    /// <summary>"ocpp2.1, ocpp2.0.1, ocpp1.6", for messages to people.</summary>
    public static string Supported { get; } = string.Join(", ", Preference.Select(NameOf));

    public static string NameOf(OcppVersion version) => version switch
    {
        OcppVersion.Ocpp16 => Ocpp16,
        OcppVersion.Ocpp201 => Ocpp201,
        OcppVersion.Ocpp21 => Ocpp21,
        _ => throw new ArgumentOutOfRangeException(nameof(version), version, "Unknown OCPP version."),
    };

    /// <summary>
    /// The version to speak with a charger that offers <paramref name="offered"/>: the most preferred one
    /// it offers, whatever its own order (the names compare exactly, as RFC 6455 tokens do); null when none.
    /// </summary>
    public static OcppVersion? Choose(IEnumerable<string> offered)
    {
        var names = offered.ToHashSet(StringComparer.Ordinal);
        foreach (var version in Preference)
        {
            if (names.Contains(NameOf(version)))
            {
                return version;
            }
        }

        return null;
    }
}
