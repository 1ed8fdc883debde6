using ParkCharge.Core.Binding;

namespace ParkCharge.Core.Engine;

/// <summary>The binding facet of a decision's working view: the bindings a decision changed, what they taught about id tokens, and the bindings to decide again in the binding module's step.</summary>
internal sealed partial class SiteChangeSet
{
    private readonly Dictionary<string, ChargingBinding> _bindings = new(StringComparer.Ordinal);
    private readonly List<(string, string?, string)> _tokenPlates = [];
    private readonly List<(string ChargingSessionId, string Reason)> _reconsider = [];

    public ChargingBinding? Binding(string chargingSessionId) =>
        _bindings.TryGetValue(chargingSessionId, out var changed) ? changed : State.Binding.Find(chargingSessionId);

    public IEnumerable<ChargingBinding> Bindings() =>
        Merge(State.Binding.Bindings, _bindings.Values, b => b.ChargingSessionId, _bindings);

    public void Put(ChargingBinding binding) => _bindings[binding.ChargingSessionId] = binding;

    /// <summary>
    /// The one vehicle's plate the token was seen with (misreads of it count as it); null when never, or when with
    /// several vehicles. What the binding of <paramref name="except"/> taught is left out (a binding cannot be its
    /// own evidence).
    /// </summary>
    public string? PlateOfToken(string token, string? except = null) => BindingState.OnePlate(Taught(token), except);

    /// <summary>What the bindings taught about the token, with this decision's links and take-backs applied in order (as <see cref="Binding.BindingState"/> takes them).</summary>
    private List<(string Source, string Plate)> Taught(string token)
    {
        var taught = State.Binding.Taught(token).ToList();
        foreach (var (t, plate, source) in _tokenPlates)
        {
            if (t == token)
            {
                BindingState.Teach(taught, source, plate);
            }
        }

        return taught;
    }

    public void LinkToken(string token, string plate, string source) => _tokenPlates.Add((token, plate, source));

    /// <summary>The tokens this decision linked or unlinked.</summary>
    public bool TokensChanged => _tokenPlates.Count > 0;

    /// <summary>Every token taught so far, with this decision's.</summary>
    public IEnumerable<string> TaughtTokens() => State.Binding.TaughtTokens.Union(_tokenPlates.Select(t => t.Item1), StringComparer.Ordinal);

    /// <summary>Takes back what <paramref name="source"/>'s binding taught about the token.</summary>
    public void UnlinkToken(string token, string source) => _tokenPlates.Add((token, null, source));

    /// <summary>The plate's token learnt from an earlier confident binding, if any.</summary>
    public string? TokenOfPlate(string plate) =>
        _tokenPlates.LastOrDefault(t => t.Item2 == plate) is { Item1: { } token } ? token : State.Binding.TokenOf(plate);

    public IReadOnlyCollection<ChargingBinding> ChangedBindings => _bindings.Values;

    /// <summary>
    /// Asks for a binding to be decided again at the end of this decision, once all its evidence is in
    /// (a read that ends one visit and starts another is one change of evidence, not two).
    /// </summary>
    public void Reconsider(string chargingSessionId, string reason)
    {
        if (!_reconsider.Exists(r => r.ChargingSessionId == chargingSessionId))
        {
            _reconsider.Add((chargingSessionId, reason));
        }
    }

    /// <summary>The bindings to decide again, in the order they were asked for; the list is emptied.</summary>
    public IReadOnlyList<(string ChargingSessionId, string Reason)> TakeReconsiderations()
    {
        var taken = _reconsider.ToList();
        _reconsider.Clear();
        return taken;
    }
}
