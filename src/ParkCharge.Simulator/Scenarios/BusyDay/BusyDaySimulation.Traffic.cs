using System.Globalization;

using ParkCharge.Core.Plates;

namespace ParkCharge.Simulator.Scenarios.BusyDay;

/// <summary>
/// The ground truth: what really happens (who arrives, parks where, plugs in, charges, moves, leaves). Each
/// event is handed to the devices as it happens (<see cref="GateReads"/>, <see cref="BayReads"/>,
/// <see cref="Vacancy"/>, <see cref="Charge"/>), which never change it.
/// </summary>
internal sealed partial class BusyDaySimulation
{
    private const string Letters = "ABCDEFGHJKLMNPRSTUVWXYZ";

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
}
