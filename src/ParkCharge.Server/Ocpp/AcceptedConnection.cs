using System.Security.Cryptography.X509Certificates;

using Microsoft.Extensions.Options;

using ParkCharge.Core.Charging;
using ParkCharge.Core.Engine;
using ParkCharge.Core.Observations;
using ParkCharge.Core.Sites;
using ParkCharge.Ocpp.Rpc;
using ParkCharge.Server.Certificates;
using ParkCharge.Server.Commands;
using ParkCharge.Server.Hosting;
using ParkCharge.Server.Sites;
using ParkCharge.Storage;

namespace ParkCharge.Server.Ocpp;

/// <summary>The node's services the OCPP endpoint works with, resolved once for every connection.</summary>
internal sealed class OcppEndpointServices(
    Store store,
    SiteEngines engines,
    ChargerConnections connections,
    CommandSignals signals,
    HandshakeThrottle throttle,
    ChargerCertificateCheck certificateCheck,
    ChargerCertificateAuthority certificateAuthority,
    CertificateRenewal certificateRenewal,
    IOptions<ParkChargeOptions> options,
    TimeProvider time,
    ILoggerFactory loggers,
    Telemetry.NodeMetrics metrics,
    Proxy.ProxyServices proxy,
    Proxy.ChargerProxies proxies)
{
    /// <summary>Proxy mode: the services upstream links work with.</summary>
    public Proxy.ProxyServices Proxy => proxy;

    /// <summary>Proxy mode: the connected chargers' proxies.</summary>
    public Proxy.ChargerProxies Proxies => proxies;

    public Store Store => store;

    public SiteEngines Engines => engines;

    public ChargerConnections Connections => connections;

    public CommandSignals Signals => signals;

    public HandshakeThrottle Throttle => throttle;

    public ChargerCertificateCheck CertificateCheck => certificateCheck;

    public ChargerCertificateAuthority CertificateAuthority => certificateAuthority;

    public CertificateRenewal CertificateRenewal => certificateRenewal;

    public ParkChargeOptions Options => options.Value;

    public TimeProvider Time => time;

    public Telemetry.NodeMetrics Metrics => metrics;

    public ILogger Logger { get; } = loggers.CreateLogger("ParkCharge.Server.Ocpp");

    public ILogger<RpcConnection> RpcLogger { get; } = loggers.CreateLogger<RpcConnection>();
}

/// <summary>
/// A charger's connection once its handshake passed: who it is, where it belongs, which version it speaks,
/// over which request. The context a connection runs in, from its open to its close.
/// </summary>
/// <param name="ClientCertificate">Security profile 3: the certificate the charger authenticated with.</param>
internal sealed record AcceptedConnection(
    OcppEndpointServices Node,
    HttpContext Http,
    ChargerId Charger,
    SiteId Site,
    string ConnectionId,
    OcppVersion Version,
    X509Certificate2? ClientCertificate)
{
    /// <summary>Observes the connection's own events (opened, closed) at the charger's site.</summary>
    public async Task SubmitAsync(ObservationPayload payload)
    {
        var now = Node.Time.GetUtcNow();
        await Node.Engines.SubmitAsync(new Observation
        {
            Site = Site,
            Source = $"ocpp:{Charger.Value}",
            Key = $"connection:{ConnectionId}:{payload.Kind}",
            EventTime = now,
            ReceivedAt = now,
            Payload = payload,
        });
    }

    /// <summary>
    /// A charger's CALL to its site's engine. A site too busy to take it (back-pressure) is answered with
    /// CALLERROR InternalError saying so: not accepted, and the charger sends it again, as OCPP has it do
    /// for transaction messages that got no CALLRESULT.
    /// </summary>
    public async Task<Reply> SubmitFromChargerAsync(Observation observation)
    {
        try
        {
            return await Node.Engines.SubmitAsync(observation);
        }
        catch (SiteBusyException busy)
        {
            throw new RpcCallRefusedException(RpcErrorCode.InternalError, $"The central system is busy and did not accept this message; send it again in {(int)SiteBusyException.RetryAfter.TotalSeconds} s.", busy);
        }
    }
}
