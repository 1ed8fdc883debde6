using Microsoft.Extensions.Options;

using ParkCharge.Ocpp.Rpc;
using ParkCharge.Server.Hosting;
using ParkCharge.Server.Sites;
using ParkCharge.Storage;

namespace ParkCharge.Server.Proxy;

/// <summary>The node's services proxy mode works with, resolved once.</summary>
internal sealed class ProxyServices(Store store, SiteEngines engines, UpstreamDirectory directory, IOptions<ParkChargeOptions> options, TimeProvider time, ILoggerFactory loggers)
{
    public Store Store => store;

    public SiteEngines Engines => engines;

    public UpstreamDirectory Directory => directory;

    public ParkChargeOptions Options => options.Value;

    public TimeProvider Time => time;

    public ILogger Logger { get; } = loggers.CreateLogger("ParkCharge.Server.Proxy");

    public ILogger<RpcConnection> RpcLogger { get; } = loggers.CreateLogger<RpcConnection>();
}
