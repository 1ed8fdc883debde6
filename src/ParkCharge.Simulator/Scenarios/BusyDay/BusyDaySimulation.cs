using System.Globalization;
using System.Text;

using ParkCharge.Core.Charging;
using ParkCharge.Core.Observations;
using ParkCharge.Core.Parking;
using ParkCharge.Core.Plates;
using ParkCharge.Core.Sites;

namespace ParkCharge.Simulator.Scenarios.BusyDay;

/// <summary>
/// The busy day, simulated. First what really happens (vehicles enter at one of two gates, park at a free
/// EV bay or an ordinary one, plug in, charge, move, leave), then what the devices make of it: cameras
/// that miss and misread plates, run on skewed clocks and push late or twice; chargers whose clocks are
/// a few seconds off and that go offline and deliver their queued transaction messages when they are
/// back. Everything comes from one seeded <see cref="Random"/>, consumed in a fixed order.
/// </summary>
internal sealed partial class BusyDaySimulation
{
    private const string FreeVendTag = "FREEVEND";
    private const string Letters = "ABCDEFGHJKLMNPRSTUVWXYZ";
    private const string Alphanumerics = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    /// <summary>The look-alike groups of <see cref="PlateSimilarity"/>: what an OCR engine confuses.</summary>
    private static readonly string[] LookAlikeGroups = ["O0DQ", "I1LT", "B8", "S5", "Z2", "G6", "A4", "UV"];

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
            PlateOfVehicle = _vehicles.ToDictionary(v => v.Id, v => v.Plate, StringComparer.Ordinal),
            End = messages[^1].Observation.ReceivedAt.AddHours(1),
        };
    }

    // ------------------------------------------------------------------ the site

    /// <summary>
    /// Two gates (an entry and an exit lane each). EV bays in pairs served by a two-connector charger
    /// whose cables reach both bays (two thirds of them), the rest with a charger of their own. A pair
    /// is watched by one camera covering both bays (half the time; by zone name or by where the plate
    /// is in the picture) or by a camera each.
    /// </summary>
    private void BuildSite()
    {
        var evBays = _options.EvBays;
        var pairedBays = evBays * 2 / 3 / 2 * 2;
        var cameras = new List<Camera>();
        for (var i = 0; i < evBays;)
        {
            var charger = new Charger
            {
                Id = new ChargerId(Invariant($"CP{_chargers.Count + 1:D2}")),
                Version = Chance(_rates.Ocpp201Charger) ? OcppVersion.Ocpp201 : OcppVersion.Ocpp16,
                FreeVend = Chance(_rates.FreeVendCharger),
                Skew = Chance(_rates.ChargerClockSkewed) ? (Chance(0.5) ? 1 : -1) * Seconds(20, 90) : Seconds(-3, 3),
            };
            _chargers.Add(charger);
            if (i + 1 < pairedBays)
            {
                var left = NewBay(charger, i + 1, 1);
                var right = NewBay(charger, i + 2, 2);
                left.Neighbour = right;
                right.Neighbour = left;
                if (Chance(0.5))
                {
                    var zones = Chance(0.5);
                    var camera = NewBayCamera(Invariant($"cam-{left.Id}-{right.Id}"), zones, [left, right]);
                    cameras.Add(camera);
                    left.Zone = "left";
                    right.Zone = "right";
                }
                else
                {
                    cameras.Add(NewBayCamera("cam-" + left.Id, zones: false, [left]));
                    cameras.Add(NewBayCamera("cam-" + right.Id, zones: false, [right]));
                }

                i += 2;
            }
            else
            {
                var bay = NewBay(charger, i + 1, 1);
                cameras.Add(NewBayCamera("cam-" + bay.Id, zones: false, [bay]));
                i++;
            }
        }

        if (!_chargers.Any(c => c.FreeVend))
        {
            Pick(_chargers).FreeVend = true;
        }

        foreach (var gate in new[] { "north", "south" })
        {
            _gates.Add((
                new Camera { Id = Invariant($"gate-{gate}-in"), Skew = CameraSkew() },
                new Camera { Id = Invariant($"gate-{gate}-out"), Skew = CameraSkew() }));
        }

        for (var i = 0; i < Math.Max(2, evBays / 10); i++)
        {
            _fleetCards.Add(Invariant($"FLEET-{Hex(6)}"));
        }

        for (var i = 0; i < evBays * 3; i++)
        {
            _regulars.Add(NewVehicle());
        }

        _site = new SiteConfiguration
        {
            Id = new SiteId("busy-day"),
            Name = "Busy day car park",
            TimeZone = "Europe/Berlin",
            Currency = "EUR",
            Lanes = [.. _gates.SelectMany(g => new[] { new LaneConfiguration(Lane(g.In), LaneDirection.Entry), new LaneConfiguration(Lane(g.Out), LaneDirection.Exit) })],
            Cameras =
            [
                .. _gates.SelectMany(g => new[] { g.In, g.Out }).Select(c => new CameraConfiguration { Id = c.Id, Lane = Lane(c), KeyHash = "simulated" }),
                .. cameras.Select(c => new CameraConfiguration
                {
                    Id = c.Id,
                    KeyHash = "simulated",
                    Bays = c.Bays.Count == 1 ? [new CameraBay(c.Bays[0].Id)]
                        : c.Zones ? [new CameraBay(c.Bays[0].Id, "left"), new CameraBay(c.Bays[1].Id, "right")]
                        : [new CameraBay(c.Bays[0].Id, null, 0, 0.5), new CameraBay(c.Bays[1].Id, null, 0.5, 1)],
                }),
            ],
            EvBays = [.. _bays.Select(b => new EvBayConfiguration { Id = b.Id, Charger = b.Outlet.Charger.Id, Connector = b.Outlet.Number, Neighbours = b.Neighbour is { } n ? [n.Id] : [] })],
            OrdinaryBays = evBays * 10,
        };

        static string Lane(Camera camera) => camera.Id["gate-".Length..];
    }

    private TimeSpan BayCameraSkew(string id) => _bays.Select(b => b.Camera).First(c => c.Id == id).Skew;

    private Bay NewBay(Charger charger, int number, int outletNumber)
    {
        var outlet = new Outlet { Charger = charger, Number = outletNumber, RegisterWh = Math.Round((decimal)U(100_000, 5_000_000)) };
        var bay = new Bay { Id = Invariant($"EV{number:D2}"), Outlet = outlet };
        outlet.Bay = bay;
        charger.Outlets.Add(outlet);
        _bays.Add(bay);
        return bay;
    }

    private Camera NewBayCamera(string id, bool zones, List<Bay> bays)
    {
        var camera = new Camera
        {
            Id = id,
            Skew = CameraSkew(),
            Zones = zones,
            Bays = bays,
            // A camera covering two bays can only say which one is empty if it names zones.
            ReportsVacancy = (bays.Count == 1 || zones) && Chance(_rates.CameraReportsVacancy),
        };
        foreach (var bay in bays)
        {
            bay.Camera = camera;
        }

        return camera;
    }

    private TimeSpan CameraSkew()
    {
        var r = _random.NextDouble();
        var sign = Chance(0.5) ? 1 : -1;
        return r < _rates.CameraSkewedMinutes ? sign * Seconds(120, 240)
            : r < _rates.CameraSkewedMinutes + _rates.CameraSkewedMore ? sign * Seconds(30, 75)
            : r < _rates.CameraSkewedMinutes + _rates.CameraSkewedMore + _rates.CameraSkewedTens ? sign * Seconds(10, 30)
            : Seconds(-3, 3);
    }

    /// <summary>The site is configured and the chargers are registered, connected and booted before the first day.</summary>
    private void Setup(DateTimeOffset at)
    {
        Server(at, "site:configured", new SiteConfigured(_site));
        foreach (var charger in _chargers)
        {
            Server(at.AddSeconds(1), "charger:registered:" + charger.Id, new ChargerRegistration(charger.Id, null, 0));
            Server(at.AddSeconds(2), "charger:connected:" + charger.Id, new ConnectionOpened(charger.Id, "conn-0", charger.Version, "sim-node", "127.0.0.1"));
            Send(charger, at.AddSeconds(3), new BootReported(charger.Id, "Simulated", charger.Version == OcppVersion.Ocpp16 ? "AC-16" : "AC-201", null, "1.0", "PowerUp"), queued: false);
            foreach (var outlet in charger.Outlets)
            {
                Status(outlet, at.AddSeconds(4), ConnectorStatus.Available);
            }
        }
    }

    // ------------------------------------------------------------------ what really happens

    private void SimulateDay(DateTimeOffset day)
    {
        PlanOutagesAndFaults(day);

        foreach (var arrival in Arrivals(day, _rates.OrdinaryArrivalsPerBayHour * _options.EvBays))
        {
            var vehicle = NewVehicle();
            var presence = Enter(vehicle, arrival);
            var exit = arrival + Minutes(20, 480);
            Leave(presence, exit < day.AddHours(23.9) ? exit : day.AddHours(23.9) - Minutes(0, 30));
        }

        var queue = new PriorityQueue<object, (DateTimeOffset, long)>();
        foreach (var arrival in Arrivals(day, _rates.EvArrivalsPerBayHour * _options.EvBays))
        {
            queue.Enqueue(new Arrival(arrival, Chance(_rates.ArrivesInPair)), (arrival, _order++));
        }

        foreach (var (kind, rate) in new[] { (SetPieceKind.IceBesideReachOver, _rates.IceBesideReachOver), (SetPieceKind.LookAlikeTwins, _rates.LookAlikeTwins) })
        {
            var expected = rate * _options.EvBays / 10;
            var count = (int)expected + (Chance(expected - (int)expected) ? 1 : 0);
            for (var i = 0; i < count; i++)
            {
                var at = Round(day + Hours(Within(7), Within(19)));
                queue.Enqueue(new SetPiece(kind, at), (at, _order++));
            }
        }

        while (queue.TryDequeue(out var next, out _))
        {
            switch (next)
            {
                case Arrival arrival:
                    Arrive(arrival, queue);
                    break;
                case Move move:
                    MoveOn(move);
                    break;
                case SetPiece { Kind: SetPieceKind.IceBesideReachOver } piece:
                    IceBesideReachOver(piece.At);
                    break;
                case SetPiece { Kind: SetPieceKind.LookAlikeTwins } piece:
                    LookAlikeTwins(piece.At);
                    break;
            }
        }
    }

    /// <summary>Chargers that lose their connection for a while, connectors that are faulted for hours.</summary>
    private void PlanOutagesAndFaults(DateTimeOffset day)
    {
        foreach (var charger in _chargers)
        {
            if (Chance(_rates.ChargerOutage))
            {
                var from = day + Hours(Within(7), Within(19));
                var outage = new Interval(from, from + Minutes(20, 150));
                charger.Outages.Add(outage);
                charger.Connections++;
                Server(from + Seconds(5, 60), Invariant($"charger:closed:{charger.Id}:{charger.Connections}"), new ConnectionClosed(charger.Id, Invariant($"conn-{charger.Connections - 1}"), "ping timeout"));
                Server(outage.To, Invariant($"charger:connected:{charger.Id}:{charger.Connections}"), new ConnectionOpened(charger.Id, Invariant($"conn-{charger.Connections}"), charger.Version, "sim-node", "127.0.0.1"));
            }

            foreach (var outlet in charger.Outlets)
            {
                if (Chance(_rates.ConnectorFault))
                {
                    // Reported when the day is rendered: a fault that would start during a charge waits for the unplug.
                    var from = day + Hours(Within(6), Within(18));
                    outlet.Faults.Add(new Interval(from, from + Hours(1, 6)));
                }
            }
        }
    }

    /// <summary>Arrival times between 05:30 and 22:30, busiest in the morning and the early evening (thinning of a Poisson process).</summary>
    private List<DateTimeOffset> Arrivals(DateTimeOffset day, double perHourAtPeak)
    {
        var arrivals = new List<DateTimeOffset>();
        var t = day + _options.ArrivalsFrom;
        var end = day + _options.ArrivalsUntil;
        while (true)
        {
            t += TimeSpan.FromHours(-Math.Log(1 - _random.NextDouble()) / perHourAtPeak);
            if (t >= end)
            {
                return arrivals;
            }

            if (Chance(Busyness((t - day).TotalHours)))
            {
                arrivals.Add(Round(t));
            }
        }
    }

    /// <summary>An hour of the day moved inside the arrival window (unchanged for the whole-day default).</summary>
    private double Within(double hour) => Math.Clamp(hour, _options.ArrivalsFrom.TotalHours, Math.Max(_options.ArrivalsFrom.TotalHours, _options.ArrivalsUntil.TotalHours - 0.5));

    private static double Busyness(double hour) => hour switch
    {
        < 6.5 => 0.3,
        < 7 => 0.6,
        < 11 => 1.0,
        < 14 => 0.8,
        < 17 => 0.7,
        < 19 => 0.9,
        < 21 => 0.5,
        _ => 0.25,
    };

    private void Arrive(Arrival arrival, PriorityQueue<object, (DateTimeOffset, long)> queue)
    {
        if (arrival.Pair && ArriveInPair(arrival.At))
        {
            return;
        }

        var vehicle = NextEvVehicle(arrival.At);
        var presence = Enter(vehicle, arrival.At);
        var atBay = arrival.At + Seconds(45, 240);
        var free = _bays.Where(b => b.FreeAt <= atBay).ToList();
        if (free.Count == 0)
        {
            Leave(presence, atBay + Minutes(30, 180)); // every EV bay taken: parks in an ordinary bay
            return;
        }

        var bay = Pick(free);
        var r = _random.NextDouble();
        var occupancy = r < _rates.Ice ? Occupancy.Ice
            : (r -= _rates.Ice) < _rates.LeavesWithoutCharging ? Occupancy.NoCharge
            : (r -= _rates.LeavesWithoutCharging) < _rates.PlugsInWithoutStarting ? Occupancy.PlugNoStart
            : (r -= _rates.PlugsInWithoutStarting) < _rates.MovesBays ? Occupancy.ChargeThenMove
            : Occupancy.Charge;
        var stay = Park(presence, bay, atBay, occupancy);
        if (occupancy == Occupancy.ChargeThenMove && stay.Transaction is not null)
        {
            var at = stay.Left + Seconds(30, 120);
            queue.Enqueue(new Move(presence, stay, at), (at, _order++));
        }
        else
        {
            Leave(presence, stay.Left + Seconds(60, 240));
        }
    }

    /// <summary>Two cars arriving together at the two bays of one charger: plugged in less than 10 s apart.</summary>
    private bool ArriveInPair(DateTimeOffset at)
    {
        var atBay = at + Seconds(60, 180);
        var chargers = _chargers.Where(c => c.Outlets.Count == 2 && c.Outlets.All(o => o.Bay.FreeAt <= atBay)).ToList();
        if (chargers.Count == 0)
        {
            return false;
        }

        var charger = Pick(chargers);
        var (first, second) = Chance(0.5) ? (charger.Outlets[0].Bay, charger.Outlets[1].Bay) : (charger.Outlets[1].Bay, charger.Outlets[0].Bay);
        var one = Enter(NextEvVehicle(at), at);
        var other = Enter(NextEvVehicle(at), at + Seconds(0, 20));
        _pairs++;
        var otherAtBay = atBay + Seconds(0, 10);
        var plugIn = otherAtBay + Seconds(10, 60);
        var stays = new[]
        {
            Park(one, first, atBay, Occupancy.Charge, plugIn),
            Park(other, second, otherAtBay, Occupancy.Charge, plugIn + Seconds(1, 9)),
        };
        Leave(one, stays[0].Left + Seconds(60, 240));
        Leave(other, stays[1].Left + Seconds(60, 240));
        return true;
    }

    private void MoveOn(Move move)
    {
        var free = _bays.Where(b => b.FreeAt <= move.At && b != move.From.Bay).ToList();
        if (free.Count == 0)
        {
            Leave(move.Presence, move.At + Seconds(30, 120));
            return;
        }

        _moves++;
        var stay = Park(move.Presence, Pick(free), move.At, Occupancy.Charge, moved: true);
        Leave(move.Presence, stay.Left + Seconds(60, 240));
    }

    /// <summary>
    /// A vehicle's stay at an EV bay: the bay camera's reads, the plug-in and the charging (on the bay's
    /// outlet, or on the neighbouring one when the bay's own is faulted or busy), the departure.
    /// </summary>
    /// <param name="reachOver">The driver uses the neighbouring bay's cable whenever the own outlet is out (not only most of the time).</param>
    /// <param name="stayAtLeast">An ICE car (or one that does not charge) stands at least this long.</param>
    /// <param name="chargeAtLeast">Charging lasts at least this long.</param>
    /// <param name="misreadAs">The bay camera reads this text instead of the plate, in <paramref name="misreadShare"/> of its reads.</param>
    private Stay Park(
        Presence presence,
        Bay bay,
        DateTimeOffset arrived,
        Occupancy occupancy,
        DateTimeOffset? plugIn = null,
        bool moved = false,
        bool reachOver = false,
        TimeSpan? stayAtLeast = null,
        TimeSpan? chargeAtLeast = null,
        string? misreadAs = null,
        double misreadShare = 0,
        bool seen = false)
    {
        var stay = new Stay { Presence = presence, Bay = bay, Arrived = arrived };
        stay.Seen = seen;
        if (misreadAs is not null)
        {
            (stay.MisreadAs, stay.MisreadShare) = (misreadAs, misreadShare);
        }
        else if (Chance(_rates.PersistentMisread))
        {
            (stay.MisreadAs, stay.MisreadShare) = (LookAlike(presence.Vehicle.Plate, 1), 1.0);
        }

        presence.Stays.Add(stay);
        DateTimeOffset left;
        if (occupancy is Occupancy.Charge or Occupancy.ChargeThenMove or Occupancy.PlugNoStart)
        {
            var late = plugIn is null && occupancy != Occupancy.PlugNoStart && Chance(_rates.PlugsInLate);
            var plug = plugIn ?? arrived + (occupancy == Occupancy.PlugNoStart ? Seconds(30, 120) : late ? Seconds(120, 1200) : Seconds(15, 110));
            var authorized = plug + Seconds(5, 60);
            var unplug = occupancy switch
            {
                Occupancy.PlugNoStart => plug + Seconds(20, 120),
                Occupancy.ChargeThenMove => authorized + Minutes(15, 45),
                _ => authorized + Minutes(20, 200),
            };
            if (chargeAtLeast is { } least && unplug - authorized < least)
            {
                unplug = authorized + least + Minutes(0, 30);
            }

            var outlet = bay.Outlet;
            var neighbourCable = false;
            if (!Usable(outlet, plug, unplug))
            {
                if (bay.Neighbour is { } neighbour && Usable(neighbour.Outlet, plug, unplug) && (reachOver || Chance(0.7)))
                {
                    outlet = neighbour.Outlet;
                    neighbourCable = true;
                }
                else
                {
                    occupancy = Occupancy.NoCharge; // the outlet is faulted or taken: looks, gives up
                }
            }

            if (occupancy == Occupancy.NoCharge)
            {
                _staysWithoutCharging++;
                left = arrived + Minutes(3, 15);
            }
            else
            {
                outlet.Busy.Add(new Interval(plug, unplug + TimeSpan.FromSeconds(10)));
                PostponeFaults(outlet, plug, unplug + TimeSpan.FromSeconds(10));
                stay.Transaction = Charge(stay, outlet, occupancy == Occupancy.PlugNoStart, plug, authorized, unplug, neighbourCable, moved);
                _plugInsWithoutStart += occupancy == Occupancy.PlugNoStart ? 1 : 0;
                left = unplug + Seconds(20, 180);
            }
        }
        else
        {
            _iceStays += occupancy == Occupancy.Ice ? 1 : 0;
            _staysWithoutCharging += occupancy == Occupancy.NoCharge ? 1 : 0;
            left = arrived + (occupancy == Occupancy.Ice ? Minutes(15, 120) : Minutes(5, 60));
            if (stayAtLeast is { } least && left - arrived < least)
            {
                left = arrived + least + Minutes(0, 60);
            }
        }

        stay.Left = left;
        bay.FreeAt = left + Seconds(15, 90);
        BayReads(stay);
        Vacancy(stay);
        return stay;
    }

    /// <summary>The driver can use the outlet: not faulted now, and no other car on it meanwhile (a fault yet to come is not known).</summary>
    private static bool Usable(Outlet outlet, DateTimeOffset from, DateTimeOffset to) =>
        !outlet.Busy.Any(b => b.Overlaps(from, to + TimeSpan.FromSeconds(10))) && !outlet.Faults.Any(f => f.Contains(from));

    /// <summary>A fault due to start while a car charges on the outlet starts after the cable is out instead.</summary>
    private static void PostponeFaults(Outlet outlet, DateTimeOffset from, DateTimeOffset to)
    {
        for (var i = outlet.Faults.Count - 1; i >= 0; i--)
        {
            var fault = outlet.Faults[i];
            if (fault.From > from && fault.From < to)
            {
                outlet.Faults.RemoveAt(i);
                if (to < fault.To)
                {
                    outlet.Faults.Insert(i, fault with { From = to });
                }
            }
        }
    }

    private Vehicle NextEvVehicle(DateTimeOffset at)
    {
        if (Chance(_rates.Regulars))
        {
            for (var attempt = 0; attempt < 5; attempt++)
            {
                var regular = Pick(_regulars);
                if (regular.InsideUntil < at)
                {
                    return regular;
                }
            }
        }

        return NewVehicle();
    }

    private Vehicle NewVehicle()
    {
        string plate, raw;
        do
        {
            var district = RandomText(Letters, 1 + _random.Next(3));
            var letters = RandomText(Letters, 1 + _random.Next(2));
            var digits = _random.Next(1, 10_000).ToString(CultureInfo.InvariantCulture);
            raw = Chance(0.5) ? $"{district}-{letters} {digits}" : $"{district} {letters} {digits}";
            plate = PlateText.Normalize(raw);
        }
        while (!_plates.Add(plate));

        var r = _random.NextDouble();
        var kind = r < _rates.FleetCard ? TokenKind.Fleet : r < _rates.FleetCard + _rates.AppStart ? TokenKind.App : TokenKind.Personal;
        var vehicle = new Vehicle
        {
            Id = Invariant($"V{_vehicles.Count + 1:D5}"),
            Plate = plate,
            RawPlate = raw,
            Token = kind,
            Card = kind switch
            {
                TokenKind.Personal => "RFID-" + Hex(8),
                TokenKind.Fleet => Pick(_fleetCards),
                _ => null,
            },
        };
        _vehicles.Add(vehicle);
        return vehicle;
    }

    private Presence Enter(Vehicle vehicle, DateTimeOffset at)
    {
        vehicle.InsideUntil = DateTimeOffset.MaxValue;
        var presence = new Presence { Vehicle = vehicle, Entered = at };
        (presence.EntryRead, presence.EntryMisread) = GateReads(Pick(_gates).In, vehicle, at);
        _presences.Add(presence);
        return presence;
    }

    private void Leave(Presence presence, DateTimeOffset at)
    {
        presence.Exited = at;
        presence.Vehicle.InsideUntil = at;
        GateReads(Pick(_gates).Out, presence.Vehicle, at);
    }

    // ------------------------------------------------------------------ what the cameras make of it

    /// <summary>A gate camera's reads of a passing vehicle: whether any arrived, and whether the best of them is misread.</summary>
    private (bool Read, bool Misread) GateReads(Camera camera, Vehicle vehicle, DateTimeOffset at)
    {
        if (Chance(_rates.MissedGateRead))
        {
            return (false, true);
        }

        var best = (Confidence: 0.0, Misread: false);
        var count = 1 + _random.Next(2);
        for (var i = 0; i < count; i++)
        {
            var capture = at + (i * Seconds(0.4, 1.2));
            var text = Chance(_rates.GateReadError) ? LookAlike(vehicle.Plate, 1) : vehicle.Plate;
            var confidence = text == vehicle.Plate ? U(0.82, 0.99) : U(0.7, 0.9);
            Read(camera, vehicle, capture, text, confidence, capture + Seconds(0.2, 1.5));
            if (confidence > best.Confidence)
            {
                best = (confidence, text != vehicle.Plate);
            }
        }

        return (true, best.Misread);
    }

    /// <summary>
    /// The bay camera's reads of a stay: none at all, only unreadable ones, only low-confidence ones, or
    /// a burst of one to three reads, each with a chance of an OCR error (or every one the same misread:
    /// <see cref="Stay.MisreadAs"/>); taken a few seconds after the car stopped or, when it reversed in or
    /// someone stood in front, up to 100 s later; usually pushed at once, sometimes buffered for minutes;
    /// sometimes pushed twice. Then, often, one or two more as the car pulls out.
    /// </summary>
    private void BayReads(Stay stay)
    {
        if (!Chance(_rates.MissedBayRead) || stay.Seen)
        {
            var r = stay.Seen ? 1 : _random.NextDouble();
            var unreadable = r < _rates.UnreadableBayRead;
            var lowConfidence = !unreadable && r < _rates.UnreadableBayRead + _rates.LowConfidenceBayRead;
            var capture = stay.Arrived + (Chance(_rates.ReadsLate) ? Seconds(20, 100) : Seconds(3, 15));
            TimeSpan? buffered = Chance(_rates.DelayedPush) ? Seconds(60, 600) : null;
            stay.ReadsDelayed = buffered is not null;
            var count = 1 + _random.Next(3);
            for (var i = 0; i < count; i++)
            {
                if (i > 0)
                {
                    capture += Seconds(1, 3);
                }

                var received = capture + (buffered is { } delay ? delay + (i * TimeSpan.FromMilliseconds(150)) : Seconds(0.2, 2.5));
                BayRead(stay, capture, received, unreadable, lowConfidence, leaving: false);
            }
        }

        if (Chance(_rates.ReReadLeaving))
        {
            // Pulling out: the plate passes the camera again, at an angle and nearer the other bay.
            var capture = stay.Left - Seconds(0, 8);
            var count = 1 + _random.Next(2);
            for (var i = 0; i < count; i++)
            {
                BayRead(stay, capture, capture + Seconds(0.2, 2.5), unreadable: false, lowConfidence: false, leaving: true);
                capture += Seconds(0.5, 2);
            }
        }
    }

    private void BayRead(Stay stay, DateTimeOffset capture, DateTimeOffset received, bool unreadable, bool lowConfidence, bool leaving)
    {
        var vehicle = stay.Presence.Vehicle;
        var camera = stay.Bay.Camera;
        var (text, misread) = unreadable ? ("", false)
            : stay.MisreadAs is { } wrong && Chance(stay.MisreadShare) ? (wrong, true)
            : Misread(vehicle.Plate);
        var confidence = unreadable ? U(0.05, 0.4) : lowConfidence ? U(0.35, 0.69)
            : misread && text == stay.MisreadAs ? U(0.8, 0.97) // the camera is sure of what it gets wrong every time
            : misread ? U(0.7, 0.9) : U(0.82, 0.99);
        stay.OcrError |= misread;
        var (bay, zone, x) = Position(camera, stay.Bay, leaving);
        var key = Read(camera, vehicle, capture, text, confidence, received, zone, x);
        stay.Reads.Add(new BayReadTruth(key, text, confidence, capture, capture + camera.Skew, received, bay, leaving));
    }

    /// <summary>
    /// Where a camera covering two bays places a read: the zone it names (a car pulling out is sometimes in
    /// the neighbour's zone already) or the plate's horizontal position, scattered around the bay's centre,
    /// nearer the boundary for a car pulling out. Returns the bay the server will take it for.
    /// </summary>
    private (Bay Bay, string? Zone, double? X) Position(Camera camera, Bay bay, bool leaving)
    {
        if (camera.Bays.Count == 1)
        {
            return (bay, null, null);
        }

        var other = camera.Bays[0] == bay ? camera.Bays[1] : camera.Bays[0];
        if (camera.Zones)
        {
            var seen = leaving && Chance(_rates.ZoneSlipLeaving) ? other : bay;
            return (seen, seen.Zone, null);
        }

        var left = bay == camera.Bays[0];
        var centre = (left ? 0.27 : 0.73) + (leaving ? (left ? 0.12 : -0.12) : 0);
        var x = Math.Round(Math.Clamp(centre + (_rates.PlatePositionSpread * Gaussian()), 0.02, 0.98), 3);
        return (x <= 0.5 ? camera.Bays[0] : camera.Bays[1], null, x);
    }

    /// <summary>A camera that senses occupancy says the bay is empty a few seconds after the car left (unless that report is lost).</summary>
    private void Vacancy(Stay stay)
    {
        var camera = stay.Bay.Camera;
        if (!camera.ReportsVacancy)
        {
            return;
        }

        if (Chance(_rates.LostVacancy))
        {
            _lostVacancies++;
            return;
        }

        var at = stay.Left + Seconds(5, 30);
        var observation = new Observation
        {
            Site = _site.Id,
            Source = "anpr:" + camera.Id,
            Key = Invariant($"anpr:{camera.Id}:vacant:{++camera.Reads:D6}"),
            EventTime = at + camera.Skew,
            ReceivedAt = at + Seconds(0.2, 2),
            Payload = new BayVacancyReported(camera.Id, camera.Bays.Count > 1 ? stay.Bay.Zone : null),
        };
        Add(observation);
    }

    private string Read(Camera camera, Vehicle vehicle, DateTimeOffset capture, string text, double confidence, DateTimeOffset received, string? zone = null, double? plateX = null)
    {
        var readId = Invariant($"{++camera.Reads:D6}");
        var key = Invariant($"anpr:{camera.Id}:{readId}");
        var observation = new Observation
        {
            Site = _site.Id,
            Source = "anpr:" + camera.Id,
            Key = key,
            EventTime = capture + camera.Skew,
            ReceivedAt = received,
            Payload = new PlateRead
            {
                Camera = camera.Id,
                Plate = text.Length == 0 ? "" : FormatLike(vehicle.RawPlate, text),
                Confidence = Math.Round(confidence, 3),
                ReadId = readId,
                Zone = zone,
                PlateX = plateX,
            },
        };
        Add(observation);
        if (Chance(_rates.DuplicatePush))
        {
            Add(observation with { ReceivedAt = received + Seconds(1, 30) });
        }

        _vehicleOfRead[key] = vehicle.Id;
        return key;
    }

    /// <summary>A standard normal sample (Box–Muller).</summary>
    private double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - _random.NextDouble())) * Math.Cos(2 * Math.PI * _random.NextDouble());

    private (string Text, bool Misread) Misread(string plate)
    {
        var r = _random.NextDouble();
        var text = r < _rates.LookAlikeError ? LookAlike(plate, 1)
            : r < _rates.LookAlikeError + _rates.TwoLookAlikeErrors ? LookAlike(plate, 2)
            : r < _rates.LookAlikeError + _rates.TwoLookAlikeErrors + _rates.OtherCharacterError ? OtherCharacter(plate)
            : plate;
        return (text, text != plate);
    }

    /// <summary><paramref name="count"/> characters confused with a look-alike (B→8, O→0, ...), at different places.</summary>
    private string LookAlike(string plate, int count)
    {
        var chars = plate.ToCharArray();
        var places = Enumerable.Range(0, chars.Length).Where(i => LookAlikeGroups.Any(g => g.Contains(chars[i], StringComparison.Ordinal))).ToList();
        if (places.Count == 0)
        {
            return OtherCharacter(plate);
        }

        for (var n = 0; n < count && places.Count > 0; n++)
        {
            var place = places[_random.Next(places.Count)];
            places.Remove(place);
            var group = LookAlikeGroups.First(g => g.Contains(chars[place], StringComparison.Ordinal));
            var others = group.Where(c => c != chars[place]).ToList();
            chars[place] = others[_random.Next(others.Count)];
        }

        return new string(chars);
    }

    /// <summary>One character read as an unrelated one (not a look-alike).</summary>
    private string OtherCharacter(string plate)
    {
        var chars = plate.ToCharArray();
        var place = _random.Next(chars.Length);
        var options = Alphanumerics.Where(c => PlateSimilarity.SubstitutionCost(c, chars[place]) >= 1).ToList();
        chars[place] = options[_random.Next(options.Count)];
        return new string(chars);
    }

    /// <summary>
    /// The read names the vehicle: its plate, or within one OCR error of it and of no other vehicle that could
    /// be the one read: inside the car park at the time, and not standing at a bay out of this camera's view
    /// (a look-alike twin charging at another bay cannot be the car this camera saw).
    /// </summary>
    private bool Identifies(string text, Vehicle vehicle, Camera camera, DateTimeOffset at) =>
        text == vehicle.Plate
        || (PlateSimilarity.IsSameVehicle(text, vehicle.Plate)
            && !_vehicles.Any(v => v != vehicle && MayBeAlike(text, v.Plate) && PlateSimilarity.IsSameVehicle(text, v.Plate) && CouldBeRead(v, camera, at)));

    private bool CouldBeRead(Vehicle vehicle, Camera camera, DateTimeOffset at) =>
        _presences.Any(p => p.Vehicle == vehicle && p.Entered <= at && (p.Exited is null || p.Exited > at)
            && !p.Stays.Any(s => s.Arrived <= at && s.Left > at && !camera.Bays.Contains(s.Bay)));

    /// <summary>A quick test before the edit distance: plates that differ in length by two or more, or in more than two places, are not alike.</summary>
    private static bool MayBeAlike(string a, string b)
    {
        if (a.Length != b.Length)
        {
            return Math.Abs(a.Length - b.Length) == 1;
        }

        var differences = 0;
        for (var i = 0; i < a.Length && differences <= 2; i++)
        {
            differences += a[i] == b[i] ? 0 : 1;
        }

        return differences <= 2;
    }

    /// <summary>The misread text laid out like the plate's raw text ("AB-C 12" with B misread: "A8-C 12").</summary>
    private static string FormatLike(string raw, string text)
    {
        if (PlateText.Normalize(raw).Length != text.Length)
        {
            return text;
        }

        var builder = new StringBuilder(raw.Length);
        var next = 0;
        foreach (var c in raw)
        {
            builder.Append(char.IsLetterOrDigit(c) ? text[next++] : c);
        }

        return builder.ToString();
    }

    // ------------------------------------------------------------------ what the chargers make of it

    /// <summary>
    /// The charger's messages for one plug-in. OCPP 1.6: Preparing, StartTransaction when the driver
    /// badges, Charging, MeterValues every 15 min, SuspendedEV if the car is full before it leaves,
    /// StopTransaction and Available at the unplug. OCPP 2.0.1 (TxStartPoint EVConnected): Occupied,
    /// TransactionEvent Started at the plug-in, Updated with the id token when authorised, periodic
    /// meter values, Ended at the unplug, Available.
    /// </summary>
    private Tx? Charge(Stay stay, Outlet outlet, bool neverAuthorized, DateTimeOffset plug, DateTimeOffset authorized, DateTimeOffset unplug, bool neighbourCable, bool moved)
    {
        var charger = outlet.Charger;
        var vehicle = stay.Presence.Vehicle;
        var (token, tokenType, shared) = charger.FreeVend
            ? (charger.Version == OcppVersion.Ocpp16 ? FreeVendTag : "", "NoAuthorization", true)
            : vehicle.Token switch
            {
                TokenKind.Personal => (vehicle.Card!, "ISO14443", false),
                TokenKind.Fleet => (vehicle.Card!, "ISO14443", true),
                _ => ("APP-" + Hex(10), "Central", false),
            };
        var power = (decimal)U(3.7, 22); // kW
        var full = Chance(0.3) && unplug - authorized > TimeSpan.FromMinutes(40) ? unplug - Minutes(5, 30) : unplug;
        var register = outlet.RegisterWh;
        decimal RegisterAt(DateTimeOffset t) => t <= authorized ? register : Math.Round(register + (power * (decimal)((t < full ? t : full) - authorized).TotalHours * 1000));
        outlet.RegisterWh = RegisterAt(unplug) + 1;

        if (charger.Version == OcppVersion.Ocpp16)
        {
            Status(outlet, plug, ConnectorStatus.Preparing);
            if (neverAuthorized)
            {
                Status(outlet, unplug, ConnectorStatus.Available);
                return null;
            }

            var tx = NewTransaction(stay, outlet, plug, token, shared, neighbourCable, moved, neverAuthorized: false, Invariant($"T{_transactions.Count + 1:D6}"));
            tx.Unplug = unplug;
            Send(charger, authorized, new TransactionStartReported(charger.Id, outlet.Number, token, RegisterAt(authorized)), queued: true, tx.Ref, tx);
            Status(outlet, authorized.AddSeconds(1), ConnectorStatus.Charging);
            for (var t = authorized.AddMinutes(15); t < unplug; t = t.AddMinutes(15))
            {
                Send(charger, t, new MeterValuesReported(charger.Id, ConnectorRef.Ocpp16(outlet.Number), 0, [Sample(charger, t, RegisterAt(t), "Sample.Periodic")]), queued: true, tx.Ref);
            }

            if (full < unplug)
            {
                Status(outlet, full, ConnectorStatus.SuspendedEV);
            }

            Send(charger, unplug, new TransactionStopReported(charger.Id, 0, token, RegisterAt(unplug), "EVDisconnected", []), queued: true, tx.Ref);
            Status(outlet, unplug.AddSeconds(2), ConnectorStatus.Available);
            return tx;
        }
        else
        {
            var id = Guid(charger);
            var tx = NewTransaction(stay, outlet, plug, neverAuthorized ? null : token, shared, neighbourCable, moved, neverAuthorized, id);
            tx.Unplug = unplug;
            var seqNo = 0;
            void Event(DateTimeOffset at, TransactionEventType type, string trigger, ChargingState? state, IdToken? idToken = null, string? context = null, string? stoppedReason = null) =>
                Send(charger, at, new TransactionEventReported
                {
                    Charger = charger.Id,
                    EventType = type,
                    TransactionId = id,
                    TriggerReason = trigger,
                    SeqNo = seqNo++,
                    Offline = charger.Outages.Any(o => o.Contains(at)),
                    Connector = type == TransactionEventType.Started ? ConnectorRef.Ocpp201(outlet.Number, 1) : null,
                    ChargingState = state,
                    IdToken = idToken,
                    StoppedReason = stoppedReason,
                    Samples = context is null ? [] : [Sample(charger, at, RegisterAt(at), context)],
                }, queued: true, id, type == TransactionEventType.Started ? tx : null);

            Status(outlet, plug, ConnectorStatus.Occupied);
            Event(plug, TransactionEventType.Started, "CablePluggedIn", ChargingState.EVConnected, charger.FreeVend ? new IdToken(token, tokenType) : null, "Transaction.Begin");
            if (!neverAuthorized)
            {
                Event(authorized, TransactionEventType.Updated, charger.FreeVend ? "ChargingStateChanged" : "Authorized", ChargingState.Charging, charger.FreeVend ? null : new IdToken(token, tokenType));
                for (var t = authorized.AddMinutes(15); t < unplug; t = t.AddMinutes(15))
                {
                    Event(t, TransactionEventType.Updated, "MeterValuePeriodic", null, context: "Sample.Periodic");
                }

                if (full < unplug)
                {
                    Event(full, TransactionEventType.Updated, "ChargingStateChanged", ChargingState.SuspendedEV);
                }
            }

            Event(unplug, TransactionEventType.Ended, "EVDeparted", ChargingState.Idle, context: "Transaction.End", stoppedReason: "EVDisconnected");
            Status(outlet, unplug.AddSeconds(1), ConnectorStatus.Available);
            return tx;
        }
    }

    private Tx NewTransaction(Stay stay, Outlet outlet, DateTimeOffset plug, string? token, bool shared, bool neighbourCable, bool moved, bool neverAuthorized, string reference)
    {
        var tx = new Tx
        {
            Ref = reference,
            Outlet = outlet,
            Stay = stay,
            PlugIn = plug,
            Token = token,
            SharedToken = shared,
            NeighbourCable = neighbourCable,
            Moved = moved,
            NeverAuthorized = neverAuthorized,
        };
        _transactions.Add(tx);
        return tx;
    }

    private static MeterSample Sample(Charger charger, DateTimeOffset at, decimal wh, string context) =>
        new(at + charger.Skew, Measurands.EnergyActiveImportRegister, wh, "Wh", Context: context);

    private string Guid(Charger charger) => Invariant($"{charger.Id}-{Hex(12)}");

    private void Status(Outlet outlet, DateTimeOffset at, ConnectorStatus status)
    {
        var charger = outlet.Charger;
        outlet.Statuses.Add((at, status));
        var connector = charger.Version == OcppVersion.Ocpp16 ? ConnectorRef.Ocpp16(outlet.Number) : ConnectorRef.Ocpp201(outlet.Number, 1);
        Send(charger, at, new ConnectorStatusReported(charger.Id, connector, status, status == ConnectorStatus.Faulted ? "ConnectorLockFailure" : "NoError"), queued: false);
    }

    private void Send(Charger charger, DateTimeOffset at, ObservationPayload payload, bool queued, string? transactionRef = null, Tx? starts = null) =>
        charger.Messages.Add(new ChargerMessage(at, _order++, payload, queued, transactionRef, starts));

    /// <summary>
    /// When the server receives a charger's messages: a moment after they happen, one at a time in
    /// order; while the charger is offline its transaction messages are queued (status notifications
    /// are not) and delivered after it reconnects, followed by the current status of each connector.
    /// </summary>
    private void Render(Charger charger)
    {
        foreach (var outlet in charger.Outlets)
        {
            foreach (var fault in outlet.Faults.ToList())
            {
                Status(outlet, fault.From, ConnectorStatus.Faulted);
                Status(outlet, fault.To, ConnectorStatus.Available);
            }
        }

        foreach (var outage in charger.Outages)
        {
            foreach (var outlet in charger.Outlets)
            {
                var (_, status) = outlet.Statuses.Where(s => s.At <= outage.To).OrderBy(s => s.At).Last();
                Status(outlet, outage.To, status);
                outlet.Statuses.RemoveAt(outlet.Statuses.Count - 1); // a report of the status, not a change
            }
        }

        var queued = new Dictionary<Interval, int>();
        var previous = DateTimeOffset.MinValue;
        var count = 0;
        foreach (var message in charger.Messages.OrderBy(m => m.At).ThenBy(m => m.Order))
        {
            DateTimeOffset received;
            var outage = charger.Outages.FirstOrDefault(o => o.Contains(message.At));
            if (outage != default)
            {
                if (!message.Queued)
                {
                    continue;
                }

                var position = queued.GetValueOrDefault(outage);
                queued[outage] = position + 1;
                received = outage.To + TimeSpan.FromSeconds(1) + (position * TimeSpan.FromMilliseconds(250));
            }
            else
            {
                received = message.At + Seconds(0.05, 0.6);
            }

            if (received <= previous)
            {
                received = previous + TimeSpan.FromMilliseconds(20);
            }

            previous = received;
            var observation = new Observation
            {
                Site = _site.Id,
                Source = "ocpp:" + charger.Id,
                Key = Invariant($"ocpp:{charger.Id}:{++count:D6}"),
                EventTime = message.At + charger.Skew,
                ReceivedAt = received,
                Payload = message.Payload,
            };
            Add(observation, message.TransactionRef);
            if (message.Queued && Chance(_rates.ResentChargerMessage))
            {
                // Its answer was lost: the charger sends the same message again, as a new call.
                _resentMessages++;
                Add(observation with { Key = Invariant($"ocpp:{charger.Id}:{++count:D6}"), ReceivedAt = received + Seconds(1, 10) }, message.TransactionRef);
            }

            if (message.Starts is { } tx)
            {
                tx.StartReceivedAt = received;
            }
        }
    }

    // ------------------------------------------------------------------ the ground truth

    private List<TransactionTruth> Truths()
    {
        foreach (var stay in _presences.SelectMany(p => p.Stays))
        {
            var vehicle = stay.Presence.Vehicle;
            // A read taken after the cable came out (the car pulling out) is no evidence of who charged: it looks
            // just like the next car's arrival.
            var unplugged = stay.Transaction?.Unplug ?? DateTimeOffset.MaxValue;
            stay.UsableReads.AddRange(stay.Reads
                .Where(r => r.Text.Length > 0 && r.Confidence >= Settings.MinConfidence && r.Bay == stay.Bay && r.Capture < unplugged && Identifies(r.Text, vehicle, stay.Bay.Camera, r.Capture))
                .Select(r => new UsableRead(r.Key, r.CameraTime, r.ReceivedAt)));
        }

        var byToken = new Dictionary<string, List<Tx>>(StringComparer.Ordinal);
        var window = Settings.BindingWindow;
        var truths = new List<TransactionTruth>();
        foreach (var tx in _transactions.OrderBy(t => t.PlugIn))
        {
            var stay = tx.Stay;
            var vehicle = stay.Presence.Vehicle;
            var charger = tx.Outlet.Charger;
            var evidence = Evidence.None;
            if (stay.UsableReads.Count > 0)
            {
                evidence = Evidence.BayRead;
            }
            else if (tx.Token is { Length: > 0 } token && byToken.TryGetValue(token, out var earlier) && earlier.All(e => e.Stay.Presence.Vehicle == vehicle))
            {
                var decidedBy = Max(tx.StartReceivedAt, tx.PlugIn + window);
                if (earlier.Any(e => e.Evidence == Evidence.BayRead && e.StartReceivedAt <= decidedBy && e.Stay.UsableReads.Min(r => r.ReceivedAt) <= decidedBy))
                {
                    evidence = Evidence.KnownToken;
                }
            }

            if (evidence == Evidence.None && OnlyVehicleInside(tx))
            {
                evidence = Evidence.OnlyVehicleInside;
            }

            tx.Evidence = evidence;
            if (tx.Token is { Length: > 0 } used)
            {
                if (!byToken.TryGetValue(used, out var list))
                {
                    byToken[used] = list = [];
                }

                list.Add(tx);
            }
        }

        foreach (var tx in _transactions.OrderBy(t => t.PlugIn))
        {
            var stay = tx.Stay;
            var charger = tx.Outlet.Charger;
            var chargerTime = tx.PlugIn + charger.Skew;
            var traits = TransactionTraits.None;
            if (_transactions.Any(o => o != tx && o.Outlet.Charger == charger && o.Outlet != tx.Outlet && (o.PlugIn - tx.PlugIn).Duration() < TimeSpan.FromSeconds(10)))
            {
                traits |= TransactionTraits.NeighbourWithin10s;
            }

            if (stay.UsableReads.Count == 0)
            {
                traits |= TransactionTraits.BayReadMissed;
            }
            else
            {
                traits |= stay.UsableReads.Min(r => r.CameraTime) > chargerTime ? TransactionTraits.PlugInBeforeRead : TransactionTraits.ReadBeforePlugIn;
            }

            traits |= Flag(stay.OcrError, TransactionTraits.OcrError)
                | Flag(stay.Bay.Camera.Skew.Duration() >= TimeSpan.FromSeconds(10), TransactionTraits.CameraClockSkewed)
                | Flag(charger.Outages.Any(o => o.Contains(tx.PlugIn)), TransactionTraits.ChargerOffline)
                | Flag(tx.PlugIn - stay.Arrived > window, TransactionTraits.ParkedLongBeforePlugIn)
                | Flag(tx.NeighbourCable, TransactionTraits.NeighbourCable)
                | Flag(tx.SharedToken, TransactionTraits.SharedToken)
                | Flag(tx.Moved, TransactionTraits.MovedBays)
                | Flag(stay.ReadsDelayed && stay.UsableReads.Count > 0, TransactionTraits.ReadsDeliveredLate)
                | Flag(tx.NeverAuthorized, TransactionTraits.NeverAuthorized)
                | Flag(charger.Version == OcppVersion.Ocpp201, TransactionTraits.Ocpp201)
                | Flag(!stay.Presence.EntryRead || stay.Presence.EntryMisread, TransactionTraits.GateReadWrong)
                | Flag(PreviousCarReReadLeaving(tx), TransactionTraits.PreviousCarReReadLeaving)
                | Flag(tx.NeighbourCable && ParkedAt(tx.Outlet.Bay, tx.PlugIn), TransactionTraits.ParkedCarAtServedBay)
                | Flag(stay.MisreadAs is { } twin && _vehicles.Any(v => v.Plate == twin), TransactionTraits.LookAlikeTwin)
                | Flag(stay.MisreadAs is not null && stay.MisreadShare >= 1, TransactionTraits.PersistentMisread)
                | Flag(ReadAcrossBoundary(tx), TransactionTraits.ReadAcrossBoundary)
                | Flag(charger.Skew.Duration() >= TimeSpan.FromSeconds(10), TransactionTraits.ChargerClockSkewed);
            truths.Add(new TransactionTruth
            {
                Ref = tx.Ref,
                Charger = charger.Id,
                Version = charger.Version,
                Outlet = tx.Outlet.Number,
                Vehicle = stay.Presence.Vehicle.Id,
                Plate = stay.Presence.Vehicle.Plate,
                Bay = stay.Bay.Id,
                ServedBay = tx.Outlet.Bay.Id,
                PluggedInAt = tx.PlugIn,
                IdToken = tx.Token,
                Evidence = tx.Evidence,
                Traits = traits,
            });
        }

        return truths;

        static TransactionTraits Flag(bool condition, TransactionTraits trait) => condition ? trait : TransactionTraits.None;
    }

    private IEnumerable<Stay> StaysAt(Bay bay) => _presences.SelectMany(p => p.Stays).Where(s => s.Bay == bay);

    private bool PreviousCarReReadLeaving(Tx tx) =>
        new[] { tx.Stay.Bay, tx.Outlet.Bay }.Distinct().Any(bay => StaysAt(bay).Any(s => s != tx.Stay && s.Left <= tx.PlugIn && tx.PlugIn - s.Left < TimeSpan.FromMinutes(15) && s.Reads.Any(r => r.Leaving)));

    private bool ParkedAt(Bay bay, DateTimeOffset at) => StaysAt(bay).Any(s => s.Arrived <= at && s.Left > at);

    private bool ReadAcrossBoundary(Tx tx) =>
        _presences.SelectMany(p => p.Stays).Any(s => s.Reads.Any(r => r.Bay != s.Bay && (r.Bay == tx.Stay.Bay || r.Bay == tx.Outlet.Bay)
            && (r.Capture - tx.PlugIn).Duration() < TimeSpan.FromMinutes(10)));

    /// <summary>
    /// The vehicle is the only one the gates saw come in and not leave by the plug-in that was not placed
    /// at a bay by a usable read and was not charging elsewhere (so no other vehicle inside could be it).
    /// </summary>
    private bool OnlyVehicleInside(Tx tx)
    {
        var t = tx.PlugIn;
        var vehicle = tx.Stay.Presence.Vehicle;
        if (!tx.Stay.Presence.EntryRead)
        {
            return false;
        }

        return !_presences.Any(p => p.Vehicle != vehicle && p.EntryRead && p.Entered <= t && (p.Exited is null || p.Exited > t)
            && !p.Stays.Any(s => s.Arrived <= t && s.Left > t && (s.UsableReads.Count > 0 || s.Transaction is { } o && o.PlugIn <= t)));
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

    private sealed record Pending(DateTimeOffset ReceivedAt, long Order, Observation Observation, string? TransactionRef);

    private sealed record Arrival(DateTimeOffset At, bool Pair);

    private sealed record Move(Presence Presence, Stay From, DateTimeOffset At);

    private sealed record SetPiece(SetPieceKind Kind, DateTimeOffset At);

    private sealed record ChargerMessage(DateTimeOffset At, long Order, ObservationPayload Payload, bool Queued, string? TransactionRef, Tx? Starts);

    private sealed record UsableRead(string Key, DateTimeOffset CameraTime, DateTimeOffset ReceivedAt);

    /// <summary>A bay read of a stay: what the camera said, when, and the bay the server takes it for (its zone or plate position).</summary>
    private sealed record BayReadTruth(string Key, string Text, double Confidence, DateTimeOffset Capture, DateTimeOffset CameraTime, DateTimeOffset ReceivedAt, Bay Bay, bool Leaving);

    private readonly record struct Interval(DateTimeOffset From, DateTimeOffset To)
    {
        public bool Contains(DateTimeOffset t) => t >= From && t < To;

        public bool Overlaps(DateTimeOffset from, DateTimeOffset to) => from < To && to > From;
    }

    private enum Occupancy
    {
        Charge,
        ChargeThenMove,
        PlugNoStart,
        Ice,
        NoCharge,
    }

    private enum SetPieceKind
    {
        IceBesideReachOver,
        LookAlikeTwins,
    }

    private enum TokenKind
    {
        Personal,
        Fleet,
        App,
    }

    private sealed class Vehicle
    {
        public required string Id { get; init; }

        public required string Plate { get; init; }

        public required string RawPlate { get; init; }

        public TokenKind Token { get; init; }

        /// <summary>The RFID card (personal or the fleet's); app starts get a new token each time.</summary>
        public string? Card { get; init; }

        public DateTimeOffset InsideUntil { get; set; } = DateTimeOffset.MinValue;
    }

    /// <summary>One stay of a vehicle in the car park, gate to gate.</summary>
    private sealed class Presence
    {
        public required Vehicle Vehicle { get; init; }

        public required DateTimeOffset Entered { get; init; }

        public DateTimeOffset? Exited { get; set; }

        public bool EntryRead { get; set; }

        public bool EntryMisread { get; set; }

        public List<Stay> Stays { get; } = [];
    }

    /// <summary>One stay at an EV bay.</summary>
    private sealed class Stay
    {
        public required Presence Presence { get; init; }

        public required Bay Bay { get; init; }

        public required DateTimeOffset Arrived { get; init; }

        public DateTimeOffset Left { get; set; }

        /// <summary>Every bay read of the stay (arriving and pulling out).</summary>
        public List<BayReadTruth> Reads { get; } = [];

        /// <summary>The reads that identify the vehicle at the bay it stood in (worked out with the whole day known).</summary>
        public List<UsableRead> UsableReads { get; } = [];

        /// <summary>The camera reads this text instead of the plate, in <see cref="MisreadShare"/> of its reads.</summary>
        public string? MisreadAs { get; set; }

        /// <summary>Staged: the bay camera reads the car (no miss, nothing unreadable).</summary>
        public bool Seen { get; set; }

        public double MisreadShare { get; set; }

        public bool OcrError { get; set; }

        public bool ReadsDelayed { get; set; }

        public Tx? Transaction { get; set; }
    }

    private sealed class Tx
    {
        public required string Ref { get; init; }

        public required Outlet Outlet { get; init; }

        public required Stay Stay { get; init; }

        public required DateTimeOffset PlugIn { get; init; }

        /// <summary>When the cable came out.</summary>
        public DateTimeOffset Unplug { get; set; }

        public string? Token { get; init; }

        public bool SharedToken { get; init; }

        public bool NeighbourCable { get; init; }

        public bool Moved { get; init; }

        public bool NeverAuthorized { get; init; }

        public DateTimeOffset? StartReceivedAt { get; set; }

        public Evidence Evidence { get; set; }
    }

    private sealed class Camera
    {
        public required string Id { get; init; }

        public TimeSpan Skew { get; init; }

        public List<Bay> Bays { get; init; } = [];

        public bool Zones { get; init; }

        public bool ReportsVacancy { get; init; }

        public int Reads { get; set; }
    }

    private sealed class Bay
    {
        public required string Id { get; init; }

        public required Outlet Outlet { get; init; }

        public Camera Camera { get; set; } = null!;

        /// <summary>The other bay of a two-connector charger: its cable reaches this one.</summary>
        public Bay? Neighbour { get; set; }

        public string? Zone { get; set; }

        public DateTimeOffset FreeAt { get; set; } = DateTimeOffset.MinValue;
    }

    private sealed class Charger
    {
        public required ChargerId Id { get; init; }

        public OcppVersion Version { get; init; }

        public bool FreeVend { get; set; }

        public TimeSpan Skew { get; init; }

        public List<Outlet> Outlets { get; } = [];

        public List<Interval> Outages { get; } = [];

        public List<ChargerMessage> Messages { get; } = [];

        public int Connections { get; set; }
    }

    private sealed class Outlet
    {
        public required Charger Charger { get; init; }

        public required int Number { get; init; }

        public Bay Bay { get; set; } = null!;

        public decimal RegisterWh { get; set; }

        public List<Interval> Busy { get; } = [];

        public List<Interval> Faults { get; } = [];

        public List<(DateTimeOffset At, ConnectorStatus Status)> Statuses { get; } = [];
    }
}
