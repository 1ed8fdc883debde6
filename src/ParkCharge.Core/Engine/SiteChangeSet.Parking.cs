using System.Collections.Immutable;

using ParkCharge.Core.Parking;

namespace ParkCharge.Core.Engine;

/// <summary>The parking facet of a decision's working view: sightings, stays, bay visits, anomalies and camera leads a decision changed (the parking module writes them; bay occupancy marks the visits).</summary>
internal sealed partial class SiteChangeSet
{
    private readonly Dictionary<string, Sighting> _sightings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ParkingSession> _parkingSessions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, BayVisit> _visits = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ParkingAnomaly> _anomalies = new(StringComparer.Ordinal);
    private readonly Dictionary<string, BayPresence> _presences = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ImmutableArray<TimeSpan>> _cameraLeads = new(StringComparer.Ordinal);

    public Sighting? Sighting(string id) => _sightings.TryGetValue(id, out var changed) ? changed : State.Parking.FindSighting(id);

    /// <summary>The camera's recent sightings, with this decision's changes.</summary>
    public IEnumerable<Sighting> SightingsOf(string camera) =>
        Merge(State.Parking.SightingsOf(camera), _sightings.Values.Where(s => s.Camera == camera), s => s.Id, _sightings);

    public void Put(Sighting sighting) => _sightings[sighting.Id] = sighting;

    public ParkingSession? ParkingSession(string id) =>
        _parkingSessions.TryGetValue(id, out var changed) ? changed : State.Parking.FindSession(id);

    public IEnumerable<ParkingSession> OpenParkingSessions() =>
        Merge(State.Parking.OpenSessions, _parkingSessions.Values, s => s.Id, _parkingSessions).Where(s => s.IsOpen);

    /// <summary>Recently closed sessions (for re-entry), with this decision's changes.</summary>
    public IEnumerable<ParkingSession> RecentParkingSessions() =>
        Merge(State.Parking.Sessions, _parkingSessions.Values, s => s.Id, _parkingSessions);

    public void Put(ParkingSession session) => _parkingSessions[session.Id] = session;

    public BayVisit? Visit(string id) => _visits.TryGetValue(id, out var changed) ? changed : State.Parking.FindVisit(id);

    public IEnumerable<BayVisit> CurrentVisits() =>
        Merge(State.Parking.CurrentVisits, _visits.Values, v => v.Id, _visits).Where(v => v.IsCurrent);

    public void Put(BayVisit visit) => _visits[visit.Id] = visit;

    /// <summary>Current and recently ended visits, with this decision's changes.</summary>
    public IEnumerable<BayVisit> Visits() => Merge(State.Parking.Visits, _visits.Values, v => v.Id, _visits);

    public BayPresence? Presence(string id) => _presences.TryGetValue(id, out var changed) ? changed : State.Parking.FindPresence(id);

    /// <summary>Current and recent vehicles sensed by chargers' bay sensors, with this decision's changes.</summary>
    public IEnumerable<BayPresence> Presences() => Merge(State.Parking.Presences, _presences.Values, p => p.Id, _presences);

    public void Put(BayPresence presence) => _presences[presence.Id] = presence;

    /// <summary>The camera's recent leads (capture time minus arrival time), with this decision's.</summary>
    public ImmutableArray<TimeSpan> CameraLeads(string camera) =>
        _cameraLeads.TryGetValue(camera, out var changed) ? changed : State.Parking.CameraLeads(camera);

    public void Put(string camera, ImmutableArray<TimeSpan> leads) => _cameraLeads[camera] = leads;

    public ParkingAnomaly? Anomaly(string id) => _anomalies.TryGetValue(id, out var changed) ? changed : State.Parking.FindAnomaly(id);

    public IEnumerable<ParkingAnomaly> OpenAnomalies() =>
        Merge(State.Parking.OpenAnomalies, _anomalies.Values, a => a.Id, _anomalies).Where(a => !a.Resolved);

    public void Put(ParkingAnomaly anomaly) => _anomalies[anomaly.Id] = anomaly;

    public IReadOnlyCollection<BayVisit> ChangedVisits => _visits.Values;
}
