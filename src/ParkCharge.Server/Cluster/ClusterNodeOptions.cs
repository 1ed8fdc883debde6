namespace ParkCharge.Server.Cluster;

/// <summary>
/// Cluster mode (DESIGN.md §6, docs/operators.md "Running a cluster"): the node joins the other nodes of
/// <see cref="ClusterId"/> through the PostgreSQL store's membership table, each site's engine lives on one
/// node of the cluster and every node routes to it. Off by default: a node without it runs exactly as a
/// single node does, with no Orleans at all.
/// </summary>
public sealed class ClusterNodeOptions
{
    /// <summary>Join the cluster (needs <c>ParkCharge:Postgres</c>; also <c>--cluster</c>).</summary>
    public bool Enabled { get; set; }

    /// <summary>The cluster's name in the membership table: nodes with the same one (and the same database) form one cluster.</summary>
    public string ClusterId { get; set; } = "parkcharge";

    /// <summary>The address the other nodes reach this node's silo port at (it also listens there only).</summary>
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>The TCP port of the node-to-node traffic (Orleans' silo port); each node on one machine needs its own.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>
    /// How long a node may miss its probes before the others declare it dead and activate its sites elsewhere:
    /// a probe times out after this, and two missed ones are enough (a LAN cluster of a few nodes).
    /// </summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(1);
}
