namespace ParkCharge.Core.Binding;

/// <summary>
/// The binding side of a site's state: the binding of each charging session in memory, and the id
/// tokens learnt from confident bay-camera bindings (token → plate), for the known-token fallback.
/// </summary>
public sealed class BindingState
{
    private readonly Dictionary<string, ChargingBinding> _bindings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _plateByToken = new(StringComparer.Ordinal);

    public IEnumerable<ChargingBinding> Bindings => _bindings.Values;

    public ChargingBinding? Find(string chargingSessionId) => _bindings.GetValueOrDefault(chargingSessionId);

    /// <summary>The plate an id token was last confidently seen with, if any.</summary>
    public string? PlateOf(string idToken) => _plateByToken.GetValueOrDefault(idToken);

    internal void Take(Engine.SiteChanges changes)
    {
        foreach (var binding in changes.Bindings)
        {
            _bindings[binding.ChargingSessionId] = binding;
        }

        foreach (var (token, plate) in changes.TokenPlates)
        {
            _plateByToken[token] = plate;
        }
    }

    /// <summary>Bindings go with their charging sessions.</summary>
    internal void Forget(string chargingSessionId) => _bindings.Remove(chargingSessionId);
}
