namespace ParkCharge.Core.Binding;

/// <summary>
/// The binding side of a site's state: the binding of each charging session in memory, and the id
/// tokens learnt from confident bay-camera bindings (token → plate), for the known-token fallback.
/// </summary>
public sealed class BindingState
{
    private readonly Dictionary<string, ChargingBinding> _bindings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _plateByToken = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _tokenByPlate = new(StringComparer.Ordinal);

    public IEnumerable<ChargingBinding> Bindings => _bindings.Values;

    public ChargingBinding? Find(string chargingSessionId) => _bindings.GetValueOrDefault(chargingSessionId);

    /// <summary>The plate an id token was last confidently seen with, if any.</summary>
    public string? PlateOf(string idToken) => _plateByToken.GetValueOrDefault(idToken);

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
            _plateByToken[token] = plate;
            _tokenByPlate[plate] = token;
        }
    }

    /// <summary>Bindings go with their charging sessions.</summary>
    internal void Forget(string chargingSessionId) => _bindings.Remove(chargingSessionId);
}
