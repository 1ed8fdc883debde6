using ParkCharge.Core.Observations;
using ParkCharge.Core.Sites;

namespace ParkCharge.Simulator.Scenarios.BusyDay;

/// <summary>
/// The busy day, simulated. First what really happens (vehicles enter at one of two gates, park at a free
/// EV bay or an ordinary one, plug in, charge, move, leave), then what the devices make of it: cameras
/// that miss and misread plates, run on skewed clocks and push late or twice; chargers whose clocks are
/// a few seconds off and that go offline and deliver their queued transaction messages when they are
/// back. Everything comes from one seeded <see cref="Random"/>, consumed in a fixed order.
/// </summary>
/// <remarks>
/// <para>The parts, each in its own file:</para>
/// <list type="bullet">
/// <item><c>.Site</c>: the car park (gates, EV bays, chargers, bay cameras).</item>
/// <item><c>.Traffic</c> and <c>.SetPieces</c>: the ground truth, who arrives, parks where, plugs in and leaves.</item>
/// <item><c>.CameraNoise</c> and <c>.ChargerNoise</c>: the devices, what the server is told of it.</item>
/// <item><c>.TransactionTruths</c>: the answer key the binding benchmark scores against.</item>
/// <item><c>.Model</c>: the things they share (vehicles, stays, transactions, cameras, bays, chargers).</item>
/// </list>
/// <para>
/// The seam: the traffic hands each event to the devices as it happens, through these calls only:
/// <see cref="GateReads"/> (a gate pass), <see cref="BayReads"/> and <see cref="Vacancy"/> (a stay at an
/// EV bay), <see cref="Charge"/> (a plug-in), and <see cref="PlanOutagesAndFaults"/> at the start of
/// each day (which the drivers then meet: a faulted outlet is not used). The devices never change what
/// happened; they note on it what they did (the reads of a stay, a delayed push, a transaction's id) for
/// the answer key. Both sides draw from the one <see cref="Random"/>, so the order of these calls is
/// part of the day: <c>BusyDayDigestTests</c> pins the days the benchmark's figures were recorded on.
/// </para>
/// </remarks>
internal sealed partial class BusyDaySimulation
{
    private static readonly SiteSettings Settings = new();

    private readonly BusyDayOptions _options;
    private readonly BusyDayRates _rates;
    private readonly Random _random;
    private readonly List<Pending> _messages = [];
    private readonly Dictionary<string, string> _vehicleOfRead = new(StringComparer.Ordinal);
    private readonly List<Vehicle> _vehicles = [];
    private readonly HashSet<string> _plates = new(StringComparer.Ordinal);
    private readonly List<Vehicle> _regulars = [];
    private readonly List<string> _fleetCards = [];
    private readonly List<Bay> _bays = [];
    private readonly List<Charger> _chargers = [];
    private readonly List<(Camera In, Camera Out)> _gates = [];
    private readonly List<Tx> _transactions = [];
    private readonly List<Presence> _presences = [];
    private SiteConfiguration _site = null!;
    private long _order;
    private int _serverMessages;
    private int _iceStays;
    private int _staysWithoutCharging;
    private int _plugInsWithoutStart;
    private int _pairs;
    private int _moves;
    private int _iceBesideReachOver;
    private int _twins;
    private int _lostVacancies;
    private int _resentMessages;

    public BusyDaySimulation(BusyDayOptions options)
    {
        _options = options;
        _rates = options.Rates;
        _random = new Random(options.Seed);
    }

    public SimulatedDay Run()
    {
        BuildSite();
        Setup(_options.FirstDay);
        for (var day = 0; day < _options.Days; day++)
        {
            SimulateDay(_options.FirstDay.AddDays(day));
        }

        foreach (var charger in _chargers)
        {
            Render(charger);
        }

        var truths = Truths();
        var messages = _messages.OrderBy(m => m.ReceivedAt).ThenBy(m => m.Order).Select(m => new SimulatedMessage(m.Observation, m.TransactionRef)).ToList();
        return new SimulatedDay
        {
            Options = _options,
            Site = _site,
            Messages = messages,
            Transactions = truths,
            Census = new BusyDayCensus
            {
                Vehicles = _presences.Select(p => p.Vehicle).Distinct().Count(),
                GatePassages = _presences.Count,
                EvBayStays = _presences.Sum(p => p.Stays.Count),
                IceStays = _iceStays,
                StaysWithoutCharging = _staysWithoutCharging,
                PlugInsWithoutStart = _plugInsWithoutStart,
                PairArrivals = _pairs,
                Moves = _moves,
                ChargerOutages = _chargers.Sum(c => c.Outages.Count),
                ConnectorFaults = _chargers.Sum(c => c.Outlets.Sum(o => o.Faults.Count)),
                Cameras = _site.Cameras.Count(c => !c.IsLaneCamera),
                SkewedCameras = _site.Cameras.Count(c => !c.IsLaneCamera && BayCameraSkew(c.Id).Duration() >= TimeSpan.FromSeconds(10)),
                SkewedChargers = _chargers.Count(c => c.Skew.Duration() >= TimeSpan.FromSeconds(10)),
                IceBesideReachOver = _iceBesideReachOver,
                LookAlikeTwins = _twins,
                MissedEntries = _presences.Count(p => !p.EntryRead),
                LeavingReReads = _presences.Sum(p => p.Stays.Count(s => s.Reads.Any(r => r.Leaving))),
                ReadsAcrossBoundary = _presences.Sum(p => p.Stays.Sum(s => s.Reads.Count(r => r.Bay != s.Bay))),
                PersistentMisreads = _presences.Sum(p => p.Stays.Count(s => s.MisreadAs is not null && s.MisreadShare >= 1)),
                LostVacancies = _lostVacancies,
                ResentChargerMessages = _resentMessages,
            },
            VehicleOfRead = _vehicleOfRead,
            Visits = [.. _presences.Select(p => new VisitTruth(p.Vehicle.Id, p.Entered, p.Exited))],
            PlateOfVehicle = _vehicles.ToDictionary(v => v.Id, v => v.Plate, StringComparer.Ordinal),
            End = messages[^1].Observation.ReceivedAt.AddHours(1),
        };
    }

    // ------------------------------------------------------------------ plumbing

    private void Server(DateTimeOffset at, string key, ObservationPayload payload) =>
        Add(new Observation { Site = _site.Id, Source = "server", Key = Invariant($"server:{key}:{++_serverMessages}"), EventTime = at, ReceivedAt = at, Payload = payload });

    private void Add(Observation observation, string? transactionRef = null) =>
        _messages.Add(new Pending(observation.ReceivedAt, _order++, observation, transactionRef));

    private bool Chance(double p) => _random.NextDouble() < p;

    private double U(double min, double max) => min + (_random.NextDouble() * (max - min));

    private TimeSpan Seconds(double min, double max) => TimeSpan.FromMilliseconds(Math.Round(U(min, max) * 1000));

    private TimeSpan Minutes(double min, double max) => Seconds(min * 60, max * 60);

    private TimeSpan Hours(double min, double max) => Seconds(min * 3600, max * 3600);

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    private string RandomText(string alphabet, int length)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = alphabet[_random.Next(alphabet.Length)];
        }

        return new string(chars);
    }

    private string Hex(int length) => RandomText("0123456789ABCDEF", length);

    private static DateTimeOffset Round(DateTimeOffset t) => new(t.UtcTicks - (t.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);

    private static DateTimeOffset Max(DateTimeOffset? a, DateTimeOffset b) => a is { } x && x > b ? x : b;

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);
}
