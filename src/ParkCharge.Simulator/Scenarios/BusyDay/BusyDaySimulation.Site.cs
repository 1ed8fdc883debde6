using ParkCharge.Core.Charging;
using ParkCharge.Core.Parking;
using ParkCharge.Core.Sites;

namespace ParkCharge.Simulator.Scenarios.BusyDay;

/// <summary>The site of the busy day: gates, EV bays in pairs and their chargers, bay cameras, and the day's first state.</summary>
internal sealed partial class BusyDaySimulation
{
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
}
