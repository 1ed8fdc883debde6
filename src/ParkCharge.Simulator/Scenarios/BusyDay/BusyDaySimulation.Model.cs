using ParkCharge.Core.Charging;
using ParkCharge.Core.Observations;

namespace ParkCharge.Simulator.Scenarios.BusyDay;

/// <summary>The things of the simulated day: vehicles, their stays, transactions, cameras, bays, chargers and outlets.</summary>
internal sealed partial class BusyDaySimulation
{
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
