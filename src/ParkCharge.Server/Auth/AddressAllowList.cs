using System.Net;
using System.Net.Sockets;

namespace ParkCharge.Server.Auth;

/// <summary>
/// The addresses an API key may be used from: addresses and CIDR ranges, IPv4 and IPv6. A single
/// address is kept as a /32 (or /128) range so that every entry reads the same way.
/// </summary>
public sealed class AddressAllowList
{
    private readonly IPNetwork[] _networks;

    private AddressAllowList(IPNetwork[] networks) => _networks = networks;

    /// <summary>Any address (a key without a list).</summary>
    public static AddressAllowList Any { get; } = new([]);

    public bool AllowsAny => _networks.Length == 0;

    public IReadOnlyList<IPNetwork> Networks => _networks;

    /// <summary>The entries in their stored form (<c>10.0.0.0/8</c>, <c>192.0.2.7/32</c>).</summary>
    public IReadOnlyList<string> Entries => [.. _networks.Select(n => n.ToString())];

    /// <summary>
    /// Reads entries; each problem is reported with the entry. A range's address must have no bits
    /// set past its prefix (<c>10.1.2.3/8</c> is refused: it most likely means a typo).
    /// </summary>
    public static AddressAllowList Parse(IEnumerable<string> entries, out List<string> problems)
    {
        problems = [];
        var networks = new List<IPNetwork>();
        foreach (var raw in entries)
        {
            var entry = raw.Trim();
            if (entry.Contains('/', StringComparison.Ordinal))
            {
                if (IPNetwork.TryParse(entry, out var network) && IPAddress.TryParse(entry.AsSpan(0, entry.IndexOf('/', StringComparison.Ordinal)), out var written))
                {
                    if (HasHostBits(written, network.PrefixLength))
                    {
                        problems.Add($"'{raw}' has bits set past its prefix: write the range's first address (or the single address without a prefix).");
                    }
                    else
                    {
                        networks.Add(Normalise(network));
                    }
                }
                else
                {
                    problems.Add($"'{raw}' is not a CIDR range (an address, '/', a prefix length; no bits set past the prefix, e.g. 10.0.0.0/8).");
                }
            }
            else if (IPAddress.TryParse(entry, out var address))
            {
                address = Unmapped(address);
                networks.Add(new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128));
            }
            else
            {
                problems.Add($"'{raw}' is not an IP address or CIDR range.");
            }
        }

        return new AddressAllowList([.. networks.Distinct()]);
    }

    /// <summary>The stored form back (entries were validated when the key was created).</summary>
    public static AddressAllowList FromStored(IReadOnlyList<string> entries) =>
        entries.Count == 0 ? Any : Parse(entries, out _);

    public bool Allows(IPAddress? address)
    {
        if (AllowsAny)
        {
            return true;
        }

        if (address is null)
        {
            return false;
        }

        address = Unmapped(address);
        return _networks.Any(n => n.Contains(address));
    }

    private static bool HasHostBits(IPAddress address, int prefixLength)
    {
        var bytes = address.GetAddressBytes();
        for (var bit = prefixLength; bit < bytes.Length * 8; bit++)
        {
            if ((bytes[bit / 8] & (0x80 >> (bit % 8))) != 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Kestrel on a dual-stack socket reports IPv4 clients as <c>::ffff:a.b.c.d</c>; lists are written in IPv4.</summary>
    public static IPAddress Unmapped(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private static IPNetwork Normalise(IPNetwork network) =>
        network.BaseAddress.IsIPv4MappedToIPv6 && network.PrefixLength >= 96
            ? new IPNetwork(network.BaseAddress.MapToIPv4(), network.PrefixLength - 96)
            : network;
}
