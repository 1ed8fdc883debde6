using System.Net;
using System.Net.Sockets;

using Microsoft.Extensions.Options;

using ParkCharge.Server.Auth;
using ParkCharge.Server.Hosting;

namespace ParkCharge.Server.Webhooks;

/// <summary>
/// Where webhooks may go. A webhook URL is chosen by an integrator, but the request is made by the node,
/// from inside the operator's network: aimed at <c>localhost</c>, a cloud metadata service
/// (<c>169.254.169.254</c>) or a private address it would reach what the integrator cannot. So only public
/// addresses are targets, unless the operator names a host or range in
/// <see cref="WebhookOptions.AllowedPrivateTargets"/>. The rule is applied to what a name resolves to, both
/// when a subscription is made (a clear 400) and at every delivery, on the very addresses the connection is
/// made to (<see cref="ConnectAsync"/>): a name that resolves differently later (DNS rebinding) is refused then.
/// </summary>
public sealed class WebhookTargets(IOptions<ParkChargeOptions> options)
{
    /// <summary>Ranges that are not the public internet (RFC 6890 special-purpose registries, and the IPv4 ones IPv6 embeds).</summary>
    private static readonly (IPNetwork Network, string Name)[] NonPublic =
    [
        (IPNetwork.Parse("0.0.0.0/8"), "'this network' (0.0.0.0/8)"),
        (IPNetwork.Parse("10.0.0.0/8"), "private (10.0.0.0/8)"),
        (IPNetwork.Parse("100.64.0.0/10"), "shared address space (100.64.0.0/10)"),
        (IPNetwork.Parse("127.0.0.0/8"), "loopback (127.0.0.0/8)"),
        (IPNetwork.Parse("169.254.0.0/16"), "link-local (169.254.0.0/16, cloud metadata services)"),
        (IPNetwork.Parse("172.16.0.0/12"), "private (172.16.0.0/12)"),
        (IPNetwork.Parse("192.0.0.0/24"), "IETF protocol assignments (192.0.0.0/24)"),
        (IPNetwork.Parse("192.0.2.0/24"), "documentation (192.0.2.0/24)"),
        (IPNetwork.Parse("192.168.0.0/16"), "private (192.168.0.0/16)"),
        (IPNetwork.Parse("198.18.0.0/15"), "benchmarking (198.18.0.0/15)"),
        (IPNetwork.Parse("198.51.100.0/24"), "documentation (198.51.100.0/24)"),
        (IPNetwork.Parse("203.0.113.0/24"), "documentation (203.0.113.0/24)"),
        (IPNetwork.Parse("224.0.0.0/4"), "multicast (224.0.0.0/4)"),
        (IPNetwork.Parse("240.0.0.0/4"), "reserved (240.0.0.0/4, broadcast)"),
        (IPNetwork.Parse("::/128"), "unspecified (::)"),
        (IPNetwork.Parse("::1/128"), "loopback (::1)"),
        (IPNetwork.Parse("fc00::/7"), "unique local (fc00::/7)"),
        (IPNetwork.Parse("fe80::/10"), "link-local (fe80::/10)"),
        (IPNetwork.Parse("fec0::/10"), "site-local (fec0::/10)"),
        (IPNetwork.Parse("ff00::/8"), "multicast (ff00::/8)"),
        (IPNetwork.Parse("2001:db8::/32"), "documentation (2001:db8::/32)"),
        (IPNetwork.Parse("100::/64"), "discard-only (100::/64)"),
    ];

    private AllowedTargets Allowed => field ??= AllowedTargets.Parse(options.Value.Webhooks.AllowedPrivateTargets);

    /// <summary>Checks the operator's setting at start-up: a typo there should stop the node, not every delivery.</summary>
    public static void Validate(IEnumerable<string> allowedPrivateTargets) => AllowedTargets.Parse(allowedPrivateTargets);

    /// <summary>Why <paramref name="url"/> may not be a webhook target now, or null when it may (looks its host up).</summary>
    public async Task<string?> RefusalAsync(Uri url, CancellationToken ct)
    {
        var host = url.IdnHost.Trim('[', ']');
        IPAddress[] addresses;
        if (IPAddress.TryParse(host, out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(5));
                addresses = await Dns.GetHostAddressesAsync(host, timeout.Token);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                return $"the host '{host}' does not resolve";
            }
        }

        return addresses.Length == 0 ? $"the host '{host}' does not resolve" : Refusal(host, addresses);
    }

    /// <summary>Why a connection to <paramref name="host"/> at these addresses is refused, or null when every address may be reached.</summary>
    public string? Refusal(string host, IReadOnlyList<IPAddress> addresses)
    {
        foreach (var address in addresses)
        {
            if (Kind(address) is { } kind && !Allowed.Admits(host, address))
            {
                return $"'{host}' is {(IPAddress.TryParse(host, out _) ? "" : $"at {address}, ")}a {kind} address; webhooks go to public addresses " +
                    "unless the operator allows this target (ParkCharge:Webhooks:AllowedPrivateTargets)";
            }
        }

        return null;
    }

    /// <summary>
    /// The webhook client's connect step: resolves the host itself and connects only to an address the rule
    /// admits, so what was checked is what is reached (no second look-up for an attacker's DNS to answer differently).
    /// </summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host.Trim('[', ']');
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        if (addresses.Length == 0)
        {
            throw new HttpRequestException($"The host '{host}' does not resolve.");
        }

        if (Refusal(host, addresses) is { } refusal)
        {
            throw new HttpRequestException($"Refused: {refusal}.");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>What kind of non-public address this is, or null for a public one (IPv4 inside IPv6 judged as IPv4).</summary>
    public static string? Kind(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return Kind(address.MapToIPv4());
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6 && Embedded(address) is { } inner)
        {
            return Kind(inner) is { } kind ? $"{kind} (inside an IPv6 address)" : null;
        }

        foreach (var (network, name) in NonPublic)
        {
            if (network.BaseAddress.AddressFamily == address.AddressFamily && network.Contains(address))
            {
                return name;
            }
        }

        return null;
    }

    /// <summary>The IPv4 address an IPv6 one carries: IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::/96), 6to4 (2002::/16).</summary>
    private static IPAddress? Embedded(IPAddress address)
    {
        var bytes = address.GetAddressBytes();
        if (bytes.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0 && !(bytes[12] == 0 && bytes[13] == 0 && bytes[14] == 0))
        {
            return new IPAddress(bytes.AsSpan(12, 4));
        }

        if (bytes[0] == 0x00 && bytes[1] == 0x64 && bytes[2] == 0xff && bytes[3] == 0x9b && bytes.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0)
        {
            return new IPAddress(bytes.AsSpan(12, 4));
        }

        if (bytes[0] == 0x20 && bytes[1] == 0x02)
        {
            return new IPAddress(bytes.AsSpan(2, 4));
        }

        return null;
    }

    /// <summary>The operator's exceptions: host names (exact, case-insensitive) and addresses or CIDR ranges.</summary>
    private sealed class AllowedTargets(HashSet<string> hosts, AddressAllowList ranges)
    {
        public static AllowedTargets Parse(IEnumerable<string> entries)
        {
            var hosts = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var ranges = new List<string>();
            foreach (var raw in entries.Select(e => e.Trim()).Where(e => e.Length > 0))
            {
                if (IPAddress.TryParse(raw, out _) || raw.Contains('/', StringComparison.Ordinal))
                {
                    ranges.Add(raw.Trim('[', ']'));
                }
                else
                {
                    hosts.Add(raw.TrimEnd('.'));
                }
            }

            var list = AddressAllowList.Parse(ranges, out var problems);
            return problems.Count > 0
                ? throw new InvalidOperationException($"ParkCharge:Webhooks:AllowedPrivateTargets: {string.Join(" ", problems)}")
                : new AllowedTargets(hosts, list);
        }

        // An empty list of ranges admits no address (for an API key's allow-list it would admit any).
        public bool Admits(string host, IPAddress address) =>
            hosts.Contains(host.Trim('[', ']').TrimEnd('.')) || (!ranges.AllowsAny && ranges.Allows(address));
    }
}
