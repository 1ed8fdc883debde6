using ParkCharge.Core.Charging;
using ParkCharge.Core.Parking;
using ParkCharge.Core.Plates;
using ParkCharge.Core.Sites;

namespace ParkCharge.Simulator.Scenarios.BusyDay;

/// <summary>
/// What a simple integration does: when a transaction starts (1.6 StartTransaction, 2.0.1
/// TransactionEvent Started), take the bay read nearest in time to the start, within the site's binding
/// window, among the reads of the cameras at that charger's bays that have arrived by then. No topology
/// beyond "the cameras at this charger" (which of its bays, neighbouring bays and zones are ignored),
/// no waiting for a late read, no confidence, no review: every choice is accepted as it is.
/// </summary>
public sealed class NaiveBaseline
{
    private readonly Dictionary<ChargerId, List<string>> _camerasOfCharger = [];
    private readonly Dictionary<string, List<(DateTimeOffset At, string Key)>> _reads = new(StringComparer.Ordinal);
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string?> _choices = new(StringComparer.Ordinal);
    private readonly IReadOnlyDictionary<string, string> _vehicleOfRead;
    private readonly TimeSpan _window;

    /// <param name="vehicleOfRead">The ground truth, to say whose the chosen read is (the baseline itself never looks at it).</param>
    public NaiveBaseline(SiteConfiguration site, IReadOnlyDictionary<string, string> vehicleOfRead)
    {
        ArgumentNullException.ThrowIfNull(site);
        _window = site.Settings.BindingWindow;
        _vehicleOfRead = vehicleOfRead;
        foreach (var camera in site.Cameras.Where(c => !c.IsLaneCamera))
        {
            _reads[camera.Id] = [];
            foreach (var bay in camera.Bays.Select(b => site.FindBay(b.Bay)).OfType<EvBayConfiguration>())
            {
                if (!_camerasOfCharger.TryGetValue(bay.Charger, out var cameras))
                {
                    _camerasOfCharger[bay.Charger] = cameras = [];
                }

                if (!cameras.Contains(camera.Id))
                {
                    cameras.Add(camera.Id);
                }
            }
        }
    }

    /// <summary>Sees a message as the server receives it.</summary>
    public void Observe(SimulatedMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var observation = message.Observation;
        if (!_seen.Add(observation.Key))
        {
            return;
        }

        switch (observation.Payload)
        {
            case PlateRead read when _reads.TryGetValue(read.Camera, out var reads) && PlateText.Normalize(read.Plate).Length > 0:
                reads.Add((observation.EventTime, observation.Key));
                break;
            case TransactionStartReported start when message.TransactionRef is { } reference:
                Choose(reference, start.Charger, observation.EventTime);
                break;
            case TransactionEventReported { EventType: TransactionEventType.Started } started when message.TransactionRef is { } reference:
                Choose(reference, started.Charger, observation.EventTime);
                break;
        }
    }

    /// <summary>The read the baseline chose for a transaction (null: none in the window).</summary>
    public string? ReadOf(string transactionRef) => _choices.GetValueOrDefault(transactionRef);

    /// <summary>The vehicle of the chosen read, from the ground truth.</summary>
    public string? VehicleOf(string transactionRef) =>
        ReadOf(transactionRef) is { } key ? _vehicleOfRead.GetValueOrDefault(key) : null;

    private void Choose(string reference, ChargerId charger, DateTimeOffset startedAt)
    {
        if (_choices.ContainsKey(reference))
        {
            return;
        }

        string? best = null;
        var bestDistance = TimeSpan.MaxValue;
        foreach (var camera in _camerasOfCharger.GetValueOrDefault(charger) ?? [])
        {
            foreach (var (at, key) in _reads[camera])
            {
                var distance = (at - startedAt).Duration();
                if (distance <= _window && distance < bestDistance)
                {
                    best = key;
                    bestDistance = distance;
                }
            }
        }

        _choices[reference] = best;
    }
}
