using ParkCharge.Core.Plates;

namespace ParkCharge.Core.Binding;

/// <summary>
/// The binding side of a site's state: the binding of each charging session in memory, and the id
/// tokens learnt from confident bay-camera bindings (token → plate, and which binding taught it while only one
/// did, so that a revised binding takes back what it taught), for the known-token fallback.
/// </summary>
public sealed class BindingState
{
    private readonly Dictionary<string, ChargingBinding> _bindings = new(StringComparer.Ordinal);

    /// <summary>Token → its plate; null once the token was seen with another vehicle's plate (a fleet card, a free-vend tag).</summary>
    private readonly Dictionary<string, string?> _plateByToken = new(StringComparer.Ordinal);

    /// <summary>Plate → the id token it was last confidently seen with (autocharge may start with it).</summary>
    private readonly Dictionary<string, string> _tokenByPlate = new(StringComparer.Ordinal);

    /// <summary>Token → the one charging session whose binding taught its plate (absent once another confirmed it).</summary>
    private readonly Dictionary<string, string> _learntFrom = new(StringComparer.Ordinal);

    public IEnumerable<ChargingBinding> Bindings => _bindings.Values;

    public ChargingBinding? Find(string chargingSessionId) => _bindings.GetValueOrDefault(chargingSessionId);

    /// <summary>The one vehicle's plate an id token was confidently seen with; null when never, or when with several vehicles.</summary>
    public string? PlateOf(string idToken) => _plateByToken.GetValueOrDefault(idToken);

    /// <summary>The token was seen with a plate before (with one, or with several).</summary>
    public bool Knows(string idToken) => _plateByToken.ContainsKey(idToken);

    /// <summary>The charging session whose binding alone taught the token's plate, if only one did.</summary>
    public string? LearntFrom(string idToken) => _learntFrom.GetValueOrDefault(idToken);

    /// <summary>The id token a plate was last confidently seen with, if any (autocharge may start with it).</summary>
    public string? TokenOf(string plate) => _tokenByPlate.GetValueOrDefault(plate);

    internal void Take(Engine.SiteChanges changes)
    {
        foreach (var binding in changes.Bindings)
        {
            _bindings[binding.ChargingSessionId] = binding;
        }

        foreach (var (token, plate, source) in changes.TokenPlates)
        {
            if (plate is null)
            {
                // The binding that alone taught it was revised: the token is not known after all.
                if (_learntFrom.GetValueOrDefault(token) == source && _plateByToken.GetValueOrDefault(token) is { } taught)
                {
                    _plateByToken.Remove(token);
                    _learntFrom.Remove(token);
                    if (_tokenByPlate.GetValueOrDefault(taught) == token)
                    {
                        _tokenByPlate.Remove(taught);
                    }
                }

                continue;
            }

            // A misread of the same plate (one OCR error away) is the same vehicle, not a second one.
            if (!_plateByToken.TryGetValue(token, out var known))
            {
                _plateByToken[token] = plate;
                _learntFrom[token] = source;
            }
            else
            {
                _plateByToken[token] = known is not null && (known == plate || PlateSimilarity.IsSameVehicle(known, plate)) ? known : null;
                if (_learntFrom.GetValueOrDefault(token) != source)
                {
                    _learntFrom.Remove(token);
                }
            }

            _tokenByPlate[plate] = token;
        }
    }

    /// <summary>Bindings go with their charging sessions.</summary>
    internal void Forget(string chargingSessionId) => _bindings.Remove(chargingSessionId);
}
