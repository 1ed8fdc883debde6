using ParkCharge.Core.Plates;

namespace ParkCharge.Core.Binding;

/// <summary>
/// The binding side of a site's state: the binding of each charging session in memory, and the id
/// tokens learnt from confident bay-camera bindings (token → plate), for the known-token fallback.
/// </summary>
public sealed class BindingState
{
    private readonly Dictionary<string, ChargingBinding> _bindings = new(StringComparer.Ordinal);

    /// <summary>Token → its plate; null once the token was seen with another vehicle's plate (a fleet card, a free-vend tag).</summary>
    private readonly Dictionary<string, string?> _plateByToken = new(StringComparer.Ordinal);

    /// <summary>Plate → the id token it was last confidently seen with (autocharge may start with it).</summary>
    private readonly Dictionary<string, string> _tokenByPlate = new(StringComparer.Ordinal);

    public IEnumerable<ChargingBinding> Bindings => _bindings.Values;

    public ChargingBinding? Find(string chargingSessionId) => _bindings.GetValueOrDefault(chargingSessionId);

    /// <summary>The one vehicle's plate an id token was confidently seen with; null when never, or when with several vehicles.</summary>
    public string? PlateOf(string idToken) => _plateByToken.GetValueOrDefault(idToken);

    /// <summary>The token was seen with a plate before (with one, or with several).</summary>
    public bool Knows(string idToken) => _plateByToken.ContainsKey(idToken);

    /// <summary>The id token a plate was last confidently seen with, if any (autocharge may start with it).</summary>
    public string? TokenOf(string plate) => _tokenByPlate.GetValueOrDefault(plate);

    internal void Take(Engine.SiteChanges changes)
    {
        foreach (var binding in changes.Bindings)
        {
            _bindings[binding.ChargingSessionId] = binding;
        }

        foreach (var (token, plate) in changes.TokenPlates)
        {
            // A misread of the same plate (one OCR error away) is the same vehicle, not a second one.
            _plateByToken[token] = !_plateByToken.TryGetValue(token, out var known) ? plate
                : known is not null && (known == plate || PlateSimilarity.IsSameVehicle(known, plate)) ? known
                : null;
            _tokenByPlate[plate] = token;
        }
    }

    /// <summary>Bindings go with their charging sessions.</summary>
    internal void Forget(string chargingSessionId) => _bindings.Remove(chargingSessionId);
}
