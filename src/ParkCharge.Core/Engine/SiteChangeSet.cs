using ParkCharge.Core.Charging;
using ParkCharge.Core.Observations;
using ParkCharge.Core.Parking;
using ParkCharge.Core.Sites;

namespace ParkCharge.Core.Engine;

/// <summary>
/// The working view of one decision: reads see the state plus what this decision changed so far;
/// writes are collected and become the decision's <see cref="SiteChanges"/>. Local mutation only:
/// the state itself is never touched. This file holds what every module shares (the observation, its
/// times, ids, events, the configuration, the audit); each module's slice of the changes is a facet of
/// its own: <c>SiteChangeSet.Charging.cs</c>, <c>.Parking.cs</c>, <c>.Binding.cs</c>, <c>.Commands.cs</c>,
/// <c>.Automation.cs</c>, <c>.Billing.cs</c>.
/// </summary>
internal sealed partial class SiteChangeSet(SiteState state, Observation observation)
{
    private readonly List<DomainEvent> _events = [];
    private readonly List<AuditEntry> _audit = [];
    private SiteConfiguration? _configuration;
    private int _created;

    public SiteState State { get; } = state;

    public Observation Observation { get; } = observation;

    /// <summary>What was set aside in a charger's message before deciding (see <see cref="ChargerInput"/>).</summary>
    public ChargerInputIssues Input { get; init; }

    /// <summary>The sequence number this observation will have in the site log.</summary>
    public long Seq => State.LastSeq + 1;

    public DateTimeOffset EventTime => Observation.EventTime;

    public DateTimeOffset ReceivedAt => Observation.ReceivedAt;

    /// <summary>
    /// The server's time of this decision, for comparing with deadlines: when the observation arrived, and
    /// for a timer no earlier than its due time. A host's timer may fire a moment before its deadline by the
    /// wall clock (timers and clocks count differently); the deadline is met all the same, never left
    /// pending with nothing to wake it again.
    /// </summary>
    public DateTimeOffset Now => Observation.Payload is TimerElapsed timer && timer.DueAt > ReceivedAt ? timer.DueAt : ReceivedAt;

    public void Publish(DomainEvent e) => _events.Add(e);

    /// <summary>The site's configuration, as this decision sees it.</summary>
    public SiteConfiguration? Configuration => _configuration ?? State.Configuration;

    public void Configure(SiteConfiguration configuration) => _configuration = configuration;

    /// <summary>A new id for something this decision creates (several per decision are fine).</summary>
    public string NewId(string kind) => Ids.For(State.Site, kind, Seq, _created++);

    public void Add(AuditEntry entry) => _audit.Add(entry);

    public bool ConfigurationChanged => _configuration is not null;

    /// <summary>The decision: the reply, and everything the modules changed and published.</summary>
    public Decision ToDecision(Reply reply) => new()
    {
        Reply = reply,
        Events = _events,
        Changes = new SiteChanges
        {
            Chargers = [.. _chargers.Values],
            Sessions = [.. _sessions.Values],
            StatusEntries = _statusEntries,
            NewSamples = _newSamples,
            LastTransactionId = _lastTransactionId,
            Configuration = _configuration,
            Sightings = [.. _sightings.Values],
            ParkingSessions = [.. _parkingSessions.Values],
            BayVisits = [.. _visits.Values],
            BayPresences = [.. _presences.Values],
            ParkingAnomalies = [.. _anomalies.Values],
            CameraLeads = [.. _cameraLeads.Select(c => (c.Key, c.Value))],
            Audit = _audit,
            Bindings = [.. _bindings.Values],
            TokenPlates = _tokenPlates,
            Bills = [.. _bills.Values],
            Payments = _payments,
            Commands = [.. _commands.Values],
            StopPlans = [.. _stopPlans.Values],
            PowerShares = [.. _powerShares.Select(p => (p.Key, p.Value))],
            LocalLists = [.. _localLists.Values],
            CameraHealth = [.. _cameraHealth.Values],
        },
    };

    /// <summary>The state's items with this decision's versions in their place, then this decision's new items.</summary>
    private static IEnumerable<T> Merge<T>(IEnumerable<T> stored, IEnumerable<T> changed, Func<T, string> id, Dictionary<string, T> byId)
    {
        // Only the changed items' keys need remembering: they are the ones that could come twice.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in stored)
        {
            if (byId.Count > 0 && byId.TryGetValue(id(item), out var newer))
            {
                seen.Add(id(newer));
                yield return newer;
            }
            else
            {
                yield return item;
            }
        }

        foreach (var item in changed)
        {
            if (!seen.Contains(id(item)))
            {
                yield return item;
            }
        }
    }
}
