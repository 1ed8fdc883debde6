using Microsoft.Extensions.Options;

using ParkCharge.Server.Hosting;

namespace ParkCharge.Server.Ocpp;

/// <summary>
/// Slows down password guessing at the OCPP handshake: after <see cref="OcppOptions.MaxAuthFailuresPerMinute"/>
/// failed attempts within a minute for one charger identity, or ten times as many from one remote
/// address (a site's chargers often share one address behind a router), further attempts are refused
/// with 429 until the minute is over, before any password is checked.
/// Memory is bounded: at most <see cref="Capacity"/> identities and addresses are remembered, the
/// least recently failed forgotten first.
/// </summary>
/// <remarks>
/// Counting per identity stops a guesser spread over many addresses; per address, one trying many
/// identities. The price is that someone failing on purpose can keep a charger's identity refused while
/// they keep failing; chargers retry, and get in within a minute of it stopping.
/// </remarks>
public sealed class HandshakeThrottle(IOptions<ParkChargeOptions> options, TimeProvider time)
{
    /// <summary>How many identities and addresses are remembered at most.</summary>
    public const int Capacity = 10_000;

    private const int AddressFactor = 10;

    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly Dictionary<string, LinkedListNode<Entry>> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _recency = new();
    private readonly Lock _lock = new();

    private int Limit => Math.Max(1, options.Value.Ocpp.MaxAuthFailuresPerMinute);

    /// <summary>How long the attempt must wait when the identity or the address failed too often; null when it may go ahead.</summary>
    public TimeSpan? RetryAfter(string chargerId, string? remoteAddress)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            var wait = Blocked(IdKey(chargerId), Limit, now);
            return remoteAddress is null ? wait : Max(wait, Blocked(AddressKey(remoteAddress), Limit * AddressFactor, now));
        }
    }

    /// <summary>Counts a failed attempt (unknown identity or wrong password) for the identity and the address.</summary>
    public void Failed(string chargerId, string? remoteAddress)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            Count(IdKey(chargerId), now);
            if (remoteAddress is not null)
            {
                Count(AddressKey(remoteAddress), now);
            }
        }
    }

    private TimeSpan? Blocked(string key, int limit, DateTimeOffset now) =>
        _entries.TryGetValue(key, out var node) && node.Value.WindowStart + Window > now && node.Value.Failures >= limit
            ? node.Value.WindowStart + Window - now
            : null;

    private void Count(string key, DateTimeOffset now)
    {
        if (_entries.TryGetValue(key, out var node))
        {
            _recency.Remove(node);
            if (node.Value.WindowStart + Window <= now)
            {
                node.Value = new Entry(key, now, 0);
            }
        }
        else
        {
            if (_entries.Count >= Capacity)
            {
                _entries.Remove(_recency.Last!.Value.Key);
                _recency.RemoveLast();
            }

            node = new LinkedListNode<Entry>(new Entry(key, now, 0));
            _entries[key] = node;
        }

        node.Value = node.Value with { Failures = node.Value.Failures + 1 };
        _recency.AddFirst(node);
    }

    private static TimeSpan? Max(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : a > b ? a : b;

    private static string IdKey(string chargerId) => "id:" + chargerId;

    private static string AddressKey(string address) => "address:" + address;

    private sealed record Entry(string Key, DateTimeOffset WindowStart, int Failures);
}
