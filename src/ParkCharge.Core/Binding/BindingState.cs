using ParkCharge.Core.Plates;

namespace ParkCharge.Core.Binding;

/// <summary>
/// The binding side of a site's state: the binding of each charging session in memory, and the id
/// tokens learnt from confident bay-camera bindings (which binding taught which plate, so that a revised
/// binding takes back what it taught), for the known-token fallback.
/// </summary>
public sealed class BindingState
{
    /// <summary>How many of the latest bindings are kept per token and vehicle (a regular's card is used every day).</summary>
    private const int TaughtPerVehicle = 3;

    /// <summary>
    /// How long a token is remembered after a binding last taught something about it: a card not seen with a vehicle for
    /// that long is forgotten (<see cref="Prune"/>), so what the engine holds does not grow with every card a site ever saw.
    /// </summary>
    public static readonly TimeSpan TaughtRetention = TimeSpan.FromDays(60);

    private readonly Dictionary<string, ChargingBinding> _bindings = new(StringComparer.Ordinal);

    /// <summary>Token → the charging sessions whose confident binding saw it with a plate, and that plate, oldest first.</summary>
    private readonly Dictionary<string, List<(string Source, string Plate)>> _taught = new(StringComparer.Ordinal);

    /// <summary>Plate → the id token it was last confidently seen with (autocharge may start with it).</summary>
    private readonly Dictionary<string, string> _tokenByPlate = new(StringComparer.Ordinal);

    /// <summary>Token → when (the observation's receive time) a binding last taught or took back something about it.</summary>
    private readonly Dictionary<string, DateTimeOffset> _taughtAt = new(StringComparer.Ordinal);

    public IEnumerable<ChargingBinding> Bindings => _bindings.Values;

    public ChargingBinding? Find(string chargingSessionId) => _bindings.GetValueOrDefault(chargingSessionId);

    /// <summary>The one vehicle's plate an id token was confidently seen with; null when never, or when with several vehicles.</summary>
    public string? PlateOf(string idToken) => OnePlate(Taught(idToken), except: null);

    /// <summary>The token was seen with a plate (with one, or with several) by a binding that still stands.</summary>
    public bool Knows(string idToken) => _taught.ContainsKey(idToken);

    /// <summary>Every id token a binding taught something about (whether it names one plate or several).</summary>
    public IEnumerable<string> TaughtTokens => _taught.Keys;

    /// <summary>The charging sessions whose bindings taught the token's plate.</summary>
    internal IEnumerable<string> SourcesOf(string idToken) => Taught(idToken).Select(t => t.Source);

    /// <summary>The id token a plate was last confidently seen with, if any (autocharge may start with it).</summary>
    public string? TokenOf(string plate) => _tokenByPlate.GetValueOrDefault(plate);

    /// <summary>What the bindings taught about the token: each teaching charging session and the plate it saw, oldest first.</summary>
    internal IReadOnlyList<(string Source, string Plate)> Taught(string idToken) => _taught.TryGetValue(idToken, out var taught) ? taught : [];

    /// <summary>
    /// The one vehicle the token was seen with, leaving out what the binding of <paramref name="except"/> taught (a
    /// binding cannot be its own evidence); a misread of the same plate (one OCR error away) is the same vehicle.
    /// </summary>
    internal static string? OnePlate(IEnumerable<(string Source, string Plate)> taught, string? except)
    {
        string? plate = null;
        foreach (var (source, seen) in taught)
        {
            if (source == except)
            {
                continue;
            }

            if (plate is null)
            {
                plate = seen;
            }
            else if (seen != plate && !PlateSimilarity.IsSameVehicle(plate, seen))
            {
                return null;
            }
        }

        return plate;
    }

    /// <summary>
    /// A binding teaches the token's plate (replacing what it taught before), or takes it back (<paramref name="plate"/>
    /// null); only the latest few bindings per vehicle are kept.
    /// </summary>
    internal static void Teach(List<(string Source, string Plate)> taught, string source, string? plate)
    {
        taught.RemoveAll(t => t.Source == source);
        if (plate is null)
        {
            return;
        }

        taught.Add((source, plate));
        var same = taught.Where(t => t.Plate == plate || PlateSimilarity.IsSameVehicle(t.Plate, plate)).ToList();
        foreach (var old in same.Take(same.Count - TaughtPerVehicle))
        {
            taught.Remove(old);
        }
    }

    internal void Take(Engine.SiteChanges changes, DateTimeOffset at)
    {
        foreach (var binding in changes.Bindings)
        {
            _bindings[binding.ChargingSessionId] = binding;
        }

        foreach (var (token, plate, source) in changes.TokenPlates)
        {
            if (!_taught.TryGetValue(token, out var taught))
            {
                taught = [];
                _taught[token] = taught;
            }

            var was = taught.FirstOrDefault(t => t.Source == source).Plate;
            Teach(taught, source, plate);
            _taughtAt[token] = at;
            if (plate is not null)
            {
                _tokenByPlate[plate] = token;
            }
            else if (was is not null && _tokenByPlate.GetValueOrDefault(was) == token && !taught.Any(t => t.Plate == was))
            {
                _tokenByPlate.Remove(was);
            }

            if (taught.Count == 0)
            {
                _taught.Remove(token);
                _taughtAt.Remove(token);
            }
        }
    }

    /// <summary>Bindings go with their charging sessions.</summary>
    internal void Forget(string chargingSessionId) => _bindings.Remove(chargingSessionId);

    /// <summary>
    /// Tokens nothing was taught about for <see cref="TaughtRetention"/> are forgotten, with the plates that pointed to
    /// them. A token without a time (a state restored from a snapshot written before the times were kept) is timed now.
    /// </summary>
    internal void Prune(DateTimeOffset now)
    {
        var forgotten = new HashSet<string>(StringComparer.Ordinal);
        foreach (var token in _taught.Keys)
        {
            if (!_taughtAt.TryGetValue(token, out var at))
            {
                _taughtAt[token] = now;
            }
            else if (at < now - TaughtRetention)
            {
                forgotten.Add(token);
            }
        }

        if (forgotten.Count == 0)
        {
            return;
        }

        foreach (var token in forgotten)
        {
            _taught.Remove(token);
            _taughtAt.Remove(token);
        }

        foreach (var plate in _tokenByPlate.Where(p => forgotten.Contains(p.Value)).Select(p => p.Key).ToList())
        {
            _tokenByPlate.Remove(plate);
        }
    }
}
