using System.Globalization;

using Microsoft.Extensions.Options;

using ParkCharge.Core.Sites;

namespace ParkCharge.Server.Hosting;

/// <summary>
/// Every setting a node cannot run with, found before it starts (<c>ValidateOnStart</c>, and before the
/// store is opened): each problem names its configuration key and the value given, so the operator can
/// fix them all at once. A node that started with a zero call timeout or a negative retry would fail
/// later, per request, far from the cause.
/// </summary>
internal sealed class ParkChargeOptionsValidator : IValidateOptions<ParkChargeOptions>
{
    /// <summary>
    /// The longest a timer of .NET can wait (a little under 50 days); a duration beyond it would throw
    /// where it is used, so it is refused here.
    /// </summary>
    private static readonly TimeSpan LongestTimer = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    public ValidateOptionsResult Validate(string? name, ParkChargeOptions options)
    {
        var problems = Problems(options);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    /// <summary>
    /// The options as configured. A value of the wrong kind (a word where a duration or number goes) is
    /// refused as a setting the node cannot run with, naming the key, rather than as a stack trace.
    /// </summary>
    /// <exception cref="OptionsValidationException">A value that is not of its setting's kind.</exception>
    public static ParkChargeOptions Bind(IConfigurationSection section)
    {
        try
        {
            return section.Get<ParkChargeOptions>() ?? new ParkChargeOptions();
        }
        catch (InvalidOperationException e)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(ParkChargeOptions),
                [$"{e.Message} Durations are written [d.]hh:mm:ss (00:00:30 is thirty seconds, 1.00:00:00 a day)."]);
        }
    }

    /// <summary>Checks the options now (as <c>ValidateOnStart</c> would) and throws with every problem.</summary>
    /// <exception cref="OptionsValidationException">A setting the node cannot run with.</exception>
    public static void ThrowIfInvalid(ParkChargeOptions options)
    {
        var problems = Problems(options);
        if (problems.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(ParkChargeOptions), problems);
        }
    }

    private static List<string> Problems(ParkChargeOptions o)
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(o.NodeId))
        {
            problems.Add("ParkCharge:NodeId must name this node (it is kept with every charger connection).");
        }

        if (o.Cluster.Enabled)
        {
            if (string.IsNullOrWhiteSpace(o.Postgres))
            {
                problems.Add("ParkCharge:Cluster:Enabled needs ParkCharge:Postgres (--postgres): the nodes of a cluster share one PostgreSQL database.");
            }

            if (o.Cluster.SiloPort is < 1 or > 65535)
            {
                problems.Add($"ParkCharge:Cluster:SiloPort must be a TCP port (1 to 65535), not {o.Cluster.SiloPort}.");
            }
            if (string.IsNullOrWhiteSpace(o.Cluster.ClusterId))
            {
                problems.Add("ParkCharge:Cluster:ClusterId must name the cluster (the nodes of one cluster share it).");
            }

            if (!System.Net.IPAddress.TryParse(o.Cluster.Address, out _))
            {
                problems.Add($"ParkCharge:Cluster:Address must be an IP address the other nodes reach this node at, not '{o.Cluster.Address}'.");
            }
        }

        var ocpp = o.Ocpp;
        if (ocpp.Registration == RegistrationPolicy.AutoRegister && !SiteId.IsValid(ocpp.AutoRegisterSite))
        {
            problems.Add($"ParkCharge:Ocpp:AutoRegisterSite must be a site id (1 to 64 characters of a-z, 0-9, '-' and '_'), not '{ocpp.AutoRegisterSite}'.");
        }

        Between(problems, "Ocpp:HeartbeatInterval", ocpp.HeartbeatInterval, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        Between(problems, "Ocpp:CallTimeout", ocpp.CallTimeout, TimeSpan.FromMilliseconds(1), LongestTimer);
        if (ocpp.PingInterval != TimeSpan.Zero)
        {
            Between(problems, "Ocpp:PingInterval", ocpp.PingInterval, TimeSpan.FromSeconds(1), LongestTimer, "or 00:00:00 for no pings");
            Between(problems, "Ocpp:PingTimeout", ocpp.PingTimeout, TimeSpan.FromSeconds(1), LongestTimer);
        }

        AtLeast(problems, "Ocpp:MaxMessageBytes", ocpp.MaxMessageBytes, 1024);
        Between(problems, "Files:LinkValidity", o.Files.LinkValidity, TimeSpan.FromMinutes(1), TimeSpan.FromDays(30));
        if (o.Files.MaxFirmwareBytes < 1 || o.Files.MaxLogBytes < 1)
        {
            problems.Add("ParkCharge:Files:MaxFirmwareBytes and MaxLogBytes must be at least 1.");
        }

        if (o.Files.PublicBaseUrl is { } publicBase && !(publicBase.IsAbsoluteUri && publicBase.Scheme is "https" or "http"))
        {
            problems.Add($"ParkCharge:Files:PublicBaseUrl must be an absolute https:// (or http://) address chargers reach the node at, not '{publicBase}'.");
        }
        AtLeast(problems, "Ocpp:MaxAuthFailuresPerMinute", ocpp.MaxAuthFailuresPerMinute, 1);

        Between(problems, "Events:PollInterval", o.Events.PollInterval, TimeSpan.FromSeconds(1), LongestTimer);
        Between(problems, "Events:Heartbeat", o.Events.Heartbeat, TimeSpan.FromSeconds(1), LongestTimer);

        var webhooks = o.Webhooks;
        AtLeast(problems, "Webhooks:MaxAttempts", webhooks.MaxAttempts, 1);
        Between(problems, "Webhooks:FirstRetry", webhooks.FirstRetry, TimeSpan.FromSeconds(1), LongestTimer);
        Between(problems, "Webhooks:MaxRetry", webhooks.MaxRetry, webhooks.FirstRetry, LongestTimer, "and no shorter than FirstRetry");
        Between(problems, "Webhooks:Timeout", webhooks.Timeout, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        Between(problems, "Webhooks:DeliveryLogRetention", webhooks.DeliveryLogRetention, TimeSpan.FromDays(1), TimeSpan.FromDays(36_500));

        foreach (var (role, limit) in new[]
        {
            ("Admin", o.RateLimits.Admin), ("Operator", o.RateLimits.Operator), ("Integrator", o.RateLimits.Integrator),
            ("Camera", o.RateLimits.Camera), ("Anonymous", o.RateLimits.Anonymous),
        })
        {
            AtLeast(problems, $"RateLimits:{role}:TokenLimit", limit.TokenLimit, 1);
            AtLeast(problems, $"RateLimits:{role}:TokensPerPeriod", limit.TokensPerPeriod, 1);
            Between(problems, $"RateLimits:{role}:Period", limit.Period, TimeSpan.FromMilliseconds(1), LongestTimer);
        }

        AtLeast(problems, "ReverseProxy:ForwardLimit", o.ReverseProxy.ForwardLimit, 1);

        AtLeast(problems, "Queues:Site", o.Queues.Site, 1);
        AtLeast(problems, "Queues:Writer", o.Queues.Writer, 1);
        AtLeast(problems, "Queues:CommandSites", o.Queues.CommandSites, 1);
        Between(problems, "Queues:MaxWait", o.Queues.MaxWait, TimeSpan.Zero, TimeSpan.FromMinutes(5));

        var certificates = o.ChargerCertificates;
        Between(problems, "ChargerCertificates:CertificateValidity", certificates.CertificateValidity, TimeSpan.FromHours(1), TimeSpan.FromDays(36_500));
        Between(problems, "ChargerCertificates:CaValidity", certificates.CaValidity, TimeSpan.FromHours(1), TimeSpan.FromDays(36_500));
        Between(problems, "ChargerCertificates:RenewalRetry", certificates.RenewalRetry, TimeSpan.FromSeconds(1), LongestTimer);
        Between(problems, "ChargerCertificates:CheckInterval", certificates.CheckInterval, TimeSpan.FromSeconds(1), LongestTimer);
        if (certificates.RenewBefore < TimeSpan.Zero || certificates.RenewBefore >= certificates.CertificateValidity)
        {
            problems.Add($"ParkCharge:ChargerCertificates:RenewBefore must be 0 or more and shorter than CertificateValidity ({Show(certificates.CertificateValidity)}), not {Show(certificates.RenewBefore)}.");
        }

        // Compaction deletes the log below a snapshot older than KeepLogFor: a zero or a slip of the pen must not cost the history.
        var snapshots = o.Snapshots;
        AtLeast(problems, "Snapshots:Every", snapshots.Every, 100);
        Between(problems, "Snapshots:Interval", snapshots.Interval, TimeSpan.FromMinutes(1), TimeSpan.FromDays(36_500));
        AtLeast(problems, "Snapshots:Keep", snapshots.Keep, 1);
        Between(problems, "Snapshots:KeepLogFor", snapshots.KeepLogFor, TimeSpan.FromDays(1), TimeSpan.FromDays(36_500));

        return problems;
    }

    private static void Between(List<string> problems, string key, TimeSpan value, TimeSpan least, TimeSpan most, string? more = null)
    {
        if (value < least || value > most)
        {
            problems.Add($"ParkCharge:{key} must be a duration from {Show(least)} to {Show(most)}{(more is null ? "" : " " + more)} ([d.]hh:mm:ss), not {Show(value)}.");
        }
    }

    private static void AtLeast(List<string> problems, string key, int value, int least)
    {
        if (value < least)
        {
            problems.Add($"ParkCharge:{key} must be at least {least.ToString(CultureInfo.InvariantCulture)}, not {value.ToString(CultureInfo.InvariantCulture)}.");
        }
    }

    private static string Show(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);
}

/// <summary>
/// Durations used to be whole numbers of seconds (or days) under keys ending in <c>Seconds</c>/<c>Days</c>;
/// they are <see cref="TimeSpan"/>s now. An operator's old key is still read, as the new one, unless the
/// new one is set too (which then wins). docs/operators.md lists both.
/// </summary>
internal static class LegacyDurationKeys
{
    private const double Day = 86_400;

    /// <summary>The old key (after <c>ParkCharge:</c>), the new one, and the seconds in one unit of the old.</summary>
    private static readonly (string Old, string New, double Unit)[] Keys =
    [
        ("Ocpp:HeartbeatIntervalSeconds", "Ocpp:HeartbeatInterval", 1),
        ("Ocpp:CallTimeoutSeconds", "Ocpp:CallTimeout", 1),
        ("Ocpp:PingIntervalSeconds", "Ocpp:PingInterval", 1),
        ("Ocpp:PingTimeoutSeconds", "Ocpp:PingTimeout", 1),
        ("Events:PollIntervalSeconds", "Events:PollInterval", 1),
        ("Events:HeartbeatSeconds", "Events:Heartbeat", 1),
        ("Webhooks:FirstRetrySeconds", "Webhooks:FirstRetry", 1),
        ("Webhooks:MaxRetrySeconds", "Webhooks:MaxRetry", 1),
        ("Webhooks:TimeoutSeconds", "Webhooks:Timeout", 1),
        ("Webhooks:DeliveryLogDays", "Webhooks:DeliveryLogRetention", Day),
        ("RateLimits:Admin:PeriodSeconds", "RateLimits:Admin:Period", 1),
        ("RateLimits:Operator:PeriodSeconds", "RateLimits:Operator:Period", 1),
        ("RateLimits:Integrator:PeriodSeconds", "RateLimits:Integrator:Period", 1),
        ("RateLimits:Camera:PeriodSeconds", "RateLimits:Camera:Period", 1),
        ("RateLimits:Anonymous:PeriodSeconds", "RateLimits:Anonymous:Period", 1),
    ];

    /// <summary>The new keys for the old ones <paramref name="configuration"/> sets, to add as a configuration source.</summary>
    /// <exception cref="OptionsValidationException">An old key whose value is not a number.</exception>
    public static Dictionary<string, string?> Translate(IConfiguration configuration)
    {
        var translated = new Dictionary<string, string?>();
        var problems = new List<string>();
        foreach (var (old, current, unit) in Keys)
        {
            var value = configuration[$"{ParkChargeOptions.Section}:{old}"];
            if (string.IsNullOrWhiteSpace(value) || configuration[$"{ParkChargeOptions.Section}:{current}"] is not null)
            {
                continue;
            }

            if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number) || Math.Abs(number * unit) > TimeSpan.MaxValue.TotalSeconds / 2)
            {
                problems.Add($"ParkCharge:{old} must be a number (or use ParkCharge:{current} with a duration, [d.]hh:mm:ss), not '{value}'.");
                continue;
            }

            translated[$"{ParkChargeOptions.Section}:{current}"] = TimeSpan.FromSeconds(number * unit).ToString("c", CultureInfo.InvariantCulture);
        }

        return problems.Count == 0 ? translated : throw new OptionsValidationException(Options.DefaultName, typeof(ParkChargeOptions), problems);
    }
}
