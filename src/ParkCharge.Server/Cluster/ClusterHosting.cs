using System.Net;

using Orleans.Configuration;

using ParkCharge.Server.Hosting;

namespace ParkCharge.Server.Cluster;

/// <summary>
/// Cluster mode's wiring (DESIGN.md §6): an Orleans silo in the node's own host, its membership in the PostgreSQL
/// store (ADO.NET clustering on the tables of migration 0160), node-to-node traffic on <see cref="ClusterNodeOptions.SiloPort"/>.
/// Nothing of it is added to a node without <c>ParkCharge:Cluster:Enabled</c>.
/// </summary>
internal static class ClusterHosting
{
    public static void AddParkChargeCluster(this WebApplicationBuilder builder, ParkChargeOptions options)
    {
        var cluster = options.Cluster;
        builder.UseOrleans(silo =>
        {
            silo.UseAdoNetClustering(o =>
            {
                o.Invariant = "Npgsql";
                o.ConnectionString = options.Postgres;
            });
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = cluster.ClusterId;
                o.ServiceId = cluster.ClusterId;
            });
            silo.Configure<SiloOptions>(o => o.SiloName = options.NodeId);
            silo.ConfigureEndpoints(IPAddress.Parse(cluster.Address), cluster.SiloPort, gatewayPort: 0, listenOnAnyHostAddress: false);

            // A LAN cluster of a few nodes: a node that misses two probes of ProbeTimeout each is declared dead by the
            // first node to see it (one vote), and its sites are activated on the others.
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = cluster.ProbeTimeout;
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
                o.TableRefreshTimeout = TimeSpan.FromSeconds(2);
                o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(10);
                o.DefunctSiloExpiration = TimeSpan.FromHours(1);
            });
        });
        builder.Logging.AddFilter("Orleans", LogLevel.Warning);
        builder.Logging.AddFilter("Polly", LogLevel.Warning);
        builder.Services.AddSingleton<ClusterRouting>();
        builder.Services.AddSingleton<ClusterCommands>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ClusterCommands>());
        builder.Services.AddHostedService<ClusterEvents>();
    }
}
