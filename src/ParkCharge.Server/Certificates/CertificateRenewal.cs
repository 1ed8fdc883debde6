using System.Collections.Concurrent;

using Microsoft.Extensions.Options;

using ParkCharge.Core.Charging;
using ParkCharge.Ocpp.Rpc;
using ParkCharge.Server.Hosting;
using ParkCharge.Server.Ocpp;

using V16 = ParkCharge.Ocpp.V16;
using V21 = ParkCharge.Ocpp.V21;

namespace ParkCharge.Server.Certificates;

/// <summary>
/// Watches the certificates of the profile-3 chargers connected to this node. One that expires within
/// <see cref="ChargerCertificateOptions.RenewBefore"/> is asked to renew it: TriggerMessage
/// SignChargingStationCertificate (2.0.1 and 2.1 A02), ExtendedTriggerMessage SignChargePointCertificate
/// (the 1.6 security whitepaper). The charger then sends a SignCertificate, which the CA answers with a
/// new certificate; it uses that one from its next connection. The same certificate is asked about again
/// only after <see cref="ChargerCertificateOptions.RenewalRetry"/>. Runs every
/// <see cref="ChargerCertificateOptions.CheckInterval"/> of the node's clock, and at once when a profile-3
/// charger connects.
/// </summary>
public sealed partial class CertificateRenewal(ChargerConnections connections, IOptions<ParkChargeOptions> options, TimeProvider time, ILogger<CertificateRenewal> logger)
    : BackgroundService
{
    private readonly ChargerCertificateOptions _options = options.Value.ChargerCertificates;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _asked = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _wake = new(0);

    /// <summary>Checks now (a profile-3 charger has connected) rather than at the next interval.</summary>
    public void Wake() => _wake.Release();

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await CheckAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogCheckFailed(logger, e);
            }

            // The next check: after the interval by the node's clock, or when woken, whichever comes first.
            using var next = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var interval = Task.Delay(_options.CheckInterval, time, next.Token);
            var woken = _wake.WaitAsync(next.Token);
            await Task.WhenAny(interval, woken);
            await next.CancelAsync();
            await Ended(interval);
            await Ended(woken);
        }
    }

    private static async Task Ended(Task task)
    {
        try
        {
            await task;
        }
        catch (OperationCanceledException)
        {
            // The other one came first, or the node is stopping.
        }
    }

    /// <summary>Asks every connected charger whose certificate is near its end (and was not asked lately) to renew it.</summary>
    internal async Task CheckAsync(CancellationToken ct)
    {
        foreach (var live in connections.All)
        {
            if (live.ClientCertificate is not { } certificate)
            {
                continue;
            }

            var now = time.GetUtcNow();
            var expires = new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
            var thumbprint = ChargerCertificateAuthority.Thumbprint(certificate);
            if (expires - now > _options.RenewBefore
                || (_asked.TryGetValue(thumbprint, out var asked) && now - asked < _options.RenewalRetry))
            {
                continue;
            }

            _asked[thumbprint] = now;
            if (expires <= now)
            {
                // Still connected on a TLS session opened earlier; once it disconnects, it cannot come back.
                LogExpired(logger, live.Charger.Value, expires);
            }

            var (status, answer) = await TriggerAsync(live.Rpc, ct);
            if (answer == "Accepted")
            {
                LogRenewalRequested(logger, live.Charger.Value, expires);
            }
            else
            {
                LogRenewalNotTriggered(logger, live.Charger.Value, expires, answer ?? status.ToString());
            }
        }
    }

    private static async Task<(RpcCallStatus Status, string? Answer)> TriggerAsync(RpcConnection rpc, CancellationToken ct)
    {
        if (rpc.Version == OcppVersion.Ocpp16)
        {
            var outcome = await rpc.CallAsync(V16.V16Actions.ExtendedTriggerMessage,
                new V16.ExtendedTriggerMessageRequest { RequestedMessage = V16.MessageTriggerEnumType.SignChargePointCertificate }, ct);
            return (outcome.Status, outcome.IsCompleted ? outcome.Response.Status.ToString() : outcome.Rejection?.ErrorCode);
        }

        var triggered = await rpc.CallAsync(V21.V21Actions.TriggerMessage,
            new V21.TriggerMessageRequest { RequestedMessage = V21.MessageTriggerEnumType.SignChargingStationCertificate }, ct);
        return (triggered.Status, triggered.IsCompleted ? triggered.Response.Status.ToString() : triggered.Rejection?.ErrorCode);
    }

    [LoggerMessage(4020, LogLevel.Information, "Asked charger {Charger} to renew its certificate, which expires at {Expires}")]
    private static partial void LogRenewalRequested(ILogger logger, string charger, DateTimeOffset expires);

    [LoggerMessage(4021, LogLevel.Warning, "Charger {Charger} did not take the request to renew its certificate (expires {Expires}): {Outcome}")]
    private static partial void LogRenewalNotTriggered(ILogger logger, string charger, DateTimeOffset expires, string outcome);

    [LoggerMessage(4022, LogLevel.Warning, "The certificate of charger {Charger} expired at {Expires}; it cannot reconnect until it has a new one")]
    private static partial void LogExpired(ILogger logger, string charger, DateTimeOffset expires);

    [LoggerMessage(4023, LogLevel.Error, "Checking the chargers' certificates failed")]
    private static partial void LogCheckFailed(ILogger logger, Exception exception);
}
