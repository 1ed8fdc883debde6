using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

using ParkCharge.Core.Sites;

namespace ParkCharge.Server.Events;

/// <summary>
/// Where a live stream is: per site, the sequence of the last event sent. It is each event's SSE
/// <c>id</c>, so a client that reconnects with <c>Last-Event-ID</c> continues exactly after it.
/// A stream of one site uses the plain sequence (<c>42</c>); a stream of every site needs every
/// site's position, written <c>site:seq</c> and comma-separated (<c>garage:42,main-street:17</c>).
/// A site missing from it had no events when the id was written: it is read from its start.
/// </summary>
internal sealed class StreamPosition
{
    private readonly SortedDictionary<string, long> _sites = new(StringComparer.Ordinal);

    public long this[string site]
    {
        get => _sites.GetValueOrDefault(site);
        set => _sites[site] = value;
    }

    public IEnumerable<string> Sites => _sites.Keys;

    public static bool TryParse(string text, string? site, [NotNullWhen(true)] out StreamPosition? position, [NotNullWhen(false)] out string? error)
    {
        position = new StreamPosition();
        error = null;
        text = text.Trim();
        if (site is not null)
        {
            if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seq))
            {
                position[site] = seq;
                return true;
            }

            // A composite id from an every-site stream also resumes a one-site stream.
            if (!TryParse(text, null, out var all, out _))
            {
                position = null;
                error = $"'{text}' is not a position: with a site it is the sequence number of the last event received.";
                return false;
            }

            position[site] = all[site];
            return true;
        }

        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = part.LastIndexOf(':');
            if (colon <= 0 || !SiteId.IsValid(part[..colon])
                || !long.TryParse(part.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var seq))
            {
                position = null;
                error = $"'{text}' is not a position: without a site it is 'site:sequence' for each site, comma-separated (the stream's last event id).";
                return false;
            }

            position[part[..colon]] = seq;
        }

        return true;
    }

    /// <summary>The SSE id: the sequence alone for a one-site stream, else every site's position.</summary>
    public string Format(string? site)
    {
        if (site is not null)
        {
            return this[site].ToString(CultureInfo.InvariantCulture);
        }

        var text = new StringBuilder();
        foreach (var (s, seq) in _sites)
        {
            if (text.Length > 0)
            {
                text.Append(',');
            }

            text.Append(s).Append(':').Append(seq.ToString(CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }
}
