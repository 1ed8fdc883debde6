using ParkCharge.Core.Plates;

namespace ParkCharge.Simulator.Scenarios.BusyDay;

/// <summary>
/// Situations a busy day brings too rarely by chance to be measured, staged a few times a day: an ICE car
/// beside a car that reaches over to its bay's outlet, and two look-alike plates charging at once.
/// </summary>
internal sealed partial class BusyDaySimulation
{
    /// <summary>
    /// An ICE car parks in one bay of a two-bay charger; 8 to 30 minutes later an EV parks in the other bay,
    /// finds that bay's outlet faulted and plugs into the ICE car's bay's outlet, whose cable reaches.
    /// </summary>
    private void IceBesideReachOver(DateTimeOffset at)
    {
        var evAt = at + Minutes(8, 30);
        var chargers = _chargers.Where(c => c.Outlets.Count == 2
            && c.Outlets.All(o => o.Bay.FreeAt <= at && !o.Busy.Any(b => b.Overlaps(at, at + TimeSpan.FromHours(4)))
                && !o.Faults.Any(f => f.Overlaps(at, at + TimeSpan.FromHours(4))))).ToList();
        if (chargers.Count == 0)
        {
            return;
        }

        var charger = Pick(chargers);
        var (iceBay, evBay) = Chance(0.5) ? (charger.Outlets[0].Bay, charger.Outlets[1].Bay) : (charger.Outlets[1].Bay, charger.Outlets[0].Bay);
        evBay.Outlet.Faults.Add(new Interval(at, evAt + Hours(2, 5)));

        var ice = Enter(NewVehicle(), at - Seconds(60, 180));
        var parked = Park(ice, iceBay, at, Occupancy.Ice, stayAtLeast: TimeSpan.FromMinutes(45));
        Leave(ice, parked.Left + Seconds(60, 240));

        var ev = Enter(NextEvVehicle(evAt), evAt - Seconds(60, 180));
        var charging = Park(ev, evBay, evAt, Occupancy.Charge, reachOver: true);
        Leave(ev, charging.Left + Seconds(60, 240));
        _iceBesideReachOver++;
    }

    /// <summary>
    /// A car charges at one bay; 5 to 40 minutes after it plugged in, a car whose plate is one look-alike
    /// character away parks at another bay, and that bay's camera reads it, most of the time, as the first
    /// car's plate.
    /// </summary>
    private void LookAlikeTwins(DateTimeOffset at)
    {
        var free = _bays.Where(b => b.FreeAt <= at).ToList();
        if (free.Count == 0)
        {
            return;
        }

        var first = NewVehicle();
        if (Twin(first) is not { } second)
        {
            return;
        }

        // The first car is seen charging at its bay (the case: a read matched a car charging elsewhere at that
        // very moment); if its own reads were missed too, no system could tell the two apart.
        var one = Enter(first, at - Seconds(60, 180));
        var charging = Park(one, Pick(free), at, Occupancy.Charge, chargeAtLeast: TimeSpan.FromMinutes(75), seen: true);
        Leave(one, charging.Left + Seconds(60, 240));

        var twinAt = (charging.Transaction?.PlugIn ?? at) + Minutes(5, 40);
        var others = _bays.Where(b => b.FreeAt <= twinAt && b != charging.Bay).ToList();
        if (others.Count == 0)
        {
            return;
        }

        var two = Enter(second, twinAt - Seconds(60, 180));
        var stay = Park(two, Pick(others), twinAt, Occupancy.Charge, misreadAs: first.Plate, misreadShare: 0.7);
        Leave(two, stay.Left + Seconds(60, 240));
        _twins++;
    }

    /// <summary>A new vehicle whose plate is one look-alike character away from <paramref name="vehicle"/>'s (LZ28MGH for L228MGH).</summary>
    private Vehicle? Twin(Vehicle vehicle)
    {
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var plate = LookAlike(vehicle.Plate, 1);
            if (plate != vehicle.Plate && PlateSimilarity.IsSameVehicle(plate, vehicle.Plate) && _plates.Add(plate))
            {
                var twin = new Vehicle
                {
                    Id = Invariant($"V{_vehicles.Count + 1:D5}"),
                    Plate = plate,
                    RawPlate = FormatLike(vehicle.RawPlate, plate),
                    Token = TokenKind.Personal,
                    Card = "RFID-" + Hex(8),
                };
                _vehicles.Add(twin);
                return twin;
            }
        }

        return null;
    }
}
