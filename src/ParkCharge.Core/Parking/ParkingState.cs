namespace ParkCharge.Core.Parking;

/// <summary>
/// The parking side of a site's state: recent sightings per camera, open and recent parking
/// sessions, current and recent bay visits, unresolved anomalies. Part of
/// <see cref="Engine.SiteState"/>; changed only through it.
/// </summary>
public sealed class ParkingState
{
    /// <summary>How long sightings stay in memory: long enough to collapse bursts and to resolve reviews.</summary>
    public static readonly TimeSpan SightingRetention = TimeSpan.FromDays(2);

    private readonly Dictionary<string, Sighting> _sightings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, Sighting>> _sightingsByCamera = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ParkingSession> _sessions = new(StringComparer.Ordinal);

    /// <summary>The open ones of <see cref="_sessions"/>: most decisions look only at those, and closed ones are kept for days.</summary>
    private readonly Dictionary<string, ParkingSession> _openSessions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, BayVisit> _visits = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ParkingAnomaly> _openAnomalies = new(StringComparer.Ordinal);
    private readonly Dictionary<string, BayPresence> _presences = new(StringComparer.Ordinal);

    /// <summary>Per camera, how far its recent pushes' times were ahead of their arrival (its clock, if it runs ahead).</summary>
    private readonly Dictionary<string, System.Collections.Immutable.ImmutableArray<TimeSpan>> _cameraLeads = new(StringComparer.Ordinal);

    public IEnumerable<ParkingSession> Sessions => _sessions.Values;

    public IEnumerable<ParkingSession> OpenSessions => _openSessions.Values;

    public IEnumerable<BayVisit> CurrentVisits => _visits.Values.Where(v => v.IsCurrent);

    /// <summary>Current and recently ended visits.</summary>
    public IEnumerable<BayVisit> Visits => _visits.Values;

    public IEnumerable<ParkingAnomaly> OpenAnomalies => _openAnomalies.Values;

    /// <summary>Current and recent vehicles sensed by chargers' bay sensors.</summary>
    public IEnumerable<BayPresence> Presences => _presences.Values;

    public BayPresence? FindPresence(string id) => _presences.GetValueOrDefault(id);

    public Sighting? FindSighting(string id) => _sightings.GetValueOrDefault(id);

    public IEnumerable<Sighting> SightingsOf(string camera) =>
        _sightingsByCamera.TryGetValue(camera, out var sightings) ? sightings.Values : [];

    public ParkingSession? FindSession(string id) => _sessions.GetValueOrDefault(id);

    public BayVisit? FindVisit(string id) => _visits.GetValueOrDefault(id);

    public ParkingAnomaly? FindAnomaly(string id) => _openAnomalies.GetValueOrDefault(id);

    /// <summary>The camera's recent leads (capture time minus arrival time), oldest first.</summary>
    public System.Collections.Immutable.ImmutableArray<TimeSpan> CameraLeads(string camera) => _cameraLeads.GetValueOrDefault(camera, []);

    internal void Take(Engine.SiteChanges changes)
    {
        foreach (var sighting in changes.Sightings)
        {
            if (!_sightingsByCamera.TryGetValue(sighting.Camera, out var ofCamera))
            {
                _sightingsByCamera[sighting.Camera] = ofCamera = new(StringComparer.Ordinal);
            }

            ofCamera[sighting.Id] = sighting;
            _sightings[sighting.Id] = sighting;
        }

        foreach (var session in changes.ParkingSessions)
        {
            _sessions[session.Id] = session;
            if (session.IsOpen)
            {
                _openSessions[session.Id] = session;
            }
            else
            {
                _openSessions.Remove(session.Id);
            }
        }

        foreach (var visit in changes.BayVisits)
        {
            _visits[visit.Id] = visit;
        }

        foreach (var presence in changes.BayPresences)
        {
            _presences[presence.Id] = presence;
        }

        foreach (var (camera, leads) in changes.CameraLeads)
        {
            _cameraLeads[camera] = leads;
        }

        foreach (var anomaly in changes.ParkingAnomalies)
        {
            if (anomaly.Resolved)
            {
                _openAnomalies.Remove(anomaly.Id);
            }
            else
            {
                _openAnomalies[anomaly.Id] = anomaly;
            }
        }
    }

    /// <summary>
    /// Lets go of what is old: the log and the projections keep it. Closed stays, ended visits and presences, and
    /// unresolved anomalies after <paramref name="sessionRetention"/>; open stays whose exit was never read
    /// <paramref name="sessionRetention"/> after they were flagged over the maximum stay.
    /// </summary>
    internal void Prune(DateTimeOffset now, TimeSpan sessionRetention)
    {
        foreach (var sighting in _sightings.Values.Where(s => s.LastSeenAt < now - SightingRetention).ToList())
        {
            _sightings.Remove(sighting.Id);
            _sightingsByCamera[sighting.Camera].Remove(sighting.Id);
        }

        foreach (var session in _sessions.Values.Where(s => !s.IsOpen && s.UpdatedAt < now - sessionRetention).ToList())
        {
            _sessions.Remove(session.Id);
        }

        // A stay whose exit was never read stays open for ever: once over the site's maximum stay (flagged) with nothing
        // about it for the retention, and no current bay visit, it is let go (the projection keeps it open; a late exit
        // read of it is an exit without an entry).
        foreach (var session in _openSessions.Values.Where(s => s.Anomalies.HasFlag(ParkingAnomalies.OverMaxStay) && s.UpdatedAt < now - sessionRetention
            && !s.BayVisitIds.Any(v => _visits.TryGetValue(v, out var visit) && visit.IsCurrent)).ToList())
        {
            _sessions.Remove(session.Id);
            _openSessions.Remove(session.Id);
        }

        foreach (var visit in _visits.Values.Where(v => v.EndedAt < now - sessionRetention).ToList())
        {
            _visits.Remove(visit.Id);
        }

        foreach (var presence in _presences.Values.Where(p => p.EndedAt < now - sessionRetention).ToList())
        {
            _presences.Remove(presence.Id);
        }

        foreach (var anomaly in _openAnomalies.Values.Where(a => a.At < now - sessionRetention).ToList())
        {
            _openAnomalies.Remove(anomaly.Id);
        }
    }
}
