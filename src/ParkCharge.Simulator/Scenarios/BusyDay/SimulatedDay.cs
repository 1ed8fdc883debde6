using ParkCharge.Core.Charging;
using ParkCharge.Core.Observations;
using ParkCharge.Core.Sites;

namespace ParkCharge.Simulator.Scenarios.BusyDay;

/// <summary>
/// A generated busy day (or several): the site, every observation in the order the server receives it,
/// and the ground truth to score bindings against.
/// </summary>
public sealed record SimulatedDay
{
    public required BusyDayOptions Options { get; init; }

    public required SiteConfiguration Site { get; init; }

    /// <summary>Everything the server receives, in arrival order (receive time ascending).</summary>
    public required IReadOnlyList<SimulatedMessage> Messages { get; init; }

    /// <summary>Every charging transaction, in plug-in order, with the vehicle that really charged.</summary>
    public required IReadOnlyList<TransactionTruth> Transactions { get; init; }

    /// <summary>What happened, counted: to check that the day has its awkward cases, and to report them.</summary>
    public required BusyDayCensus Census { get; init; }

    /// <summary>The vehicle each camera read (observation key) is of.</summary>
    public required IReadOnlyDictionary<string, string> VehicleOfRead { get; init; }

    /// <summary>Every time a vehicle was in the car park, gate to gate (its gate reads may have been missed), in order of entry.</summary>
    public IReadOnlyList<VisitTruth> Visits { get; init; } = [];

    /// <summary>Each vehicle's true plate (normalised).</summary>
    public required IReadOnlyDictionary<string, string> PlateOfVehicle { get; init; }

    /// <summary>After the last message: by then every binding window has ended.</summary>
    public required DateTimeOffset End { get; init; }

    /// <summary>
    /// The day as far as <paramref name="cut"/>: the messages received by then, the transactions plugged in at
    /// least <paramref name="settle"/> before (their windows are over and most of their evidence is in), and an
    /// end a window after the cut. A short run through a node in real time; stays go on past the cut unseen.
    /// </summary>
    public SimulatedDay Until(DateTimeOffset cut, TimeSpan settle)
    {
        // A transaction counts when the server had its start by then (an offline charger's comes later).
        var started = Messages.Where(m => m.Observation.ReceivedAt <= cut - settle)
            .Select(m => m.Observation.Payload is Core.Charging.TransactionEventReported { EventType: Core.Charging.TransactionEventType.Started } e ? e.TransactionId
                : m.Observation.Payload is Core.Charging.TransactionStartReported ? m.TransactionRef : null)
            .OfType<string>().ToHashSet(StringComparer.Ordinal);
        return this with
        {
            Messages = [.. Messages.Where(m => m.Observation.ReceivedAt <= cut)],
            Transactions = [.. Transactions.Where(t => t.PluggedInAt <= cut - settle && started.Contains(t.Ref))],
            End = cut + Site.Settings.BindingWindow + TimeSpan.FromMinutes(1),
        };
    }
}

/// <summary>A vehicle's time in the car park: when it really came in and left (null: still inside when the day ended).</summary>
public sealed record VisitTruth(string Vehicle, DateTimeOffset Entered, DateTimeOffset? Exited);

/// <summary>What the simulated day(s) contained, beyond the transactions.</summary>
public sealed record BusyDayCensus
{
    public int Vehicles { get; init; }

    /// <summary>Stays in the car park, entry to exit (a regular's every visit counts).</summary>
    public int GatePassages { get; init; }

    public int EvBayStays { get; init; }

    /// <summary>A petrol or diesel car parked in an EV bay.</summary>
    public int IceStays { get; init; }

    /// <summary>An EV that stood in an EV bay and left without plugging in (by choice, or its outlet was faulted or taken).</summary>
    public int StaysWithoutCharging { get; init; }

    /// <summary>Plugged in and never authorised (1.6: no transaction at all; 2.0.1: a transaction without energy).</summary>
    public int PlugInsWithoutStart { get; init; }

    /// <summary>Two cars arriving together at the two bays of one charger.</summary>
    public int PairArrivals { get; init; }

    /// <summary>A car moving from one EV bay to another to charge again.</summary>
    public int Moves { get; init; }

    public int ChargerOutages { get; init; }

    public int ConnectorFaults { get; init; }

    public int Cameras { get; init; }

    /// <summary>Bay cameras whose clock is off by 10 s or more.</summary>
    public int SkewedCameras { get; init; }

    /// <summary>Chargers whose clock is off by 10 s or more.</summary>
    public int SkewedChargers { get; init; }

    /// <summary>An ICE car in one bay, an EV beside it plugged into its bay's outlet (its own faulted).</summary>
    public int IceBesideReachOver { get; init; }

    /// <summary>Two cars with plates one look-alike character apart charging at the same time, the second read as the first.</summary>
    public int LookAlikeTwins { get; init; }

    /// <summary>Stays in the car park whose entry was not read at all.</summary>
    public int MissedEntries { get; init; }

    /// <summary>Stays at an EV bay whose car the camera read again as it pulled out.</summary>
    public int LeavingReReads { get; init; }

    /// <summary>Bay reads that a camera covering two bays placed in the other bay (zone or plate position).</summary>
    public int ReadsAcrossBoundary { get; init; }

    /// <summary>Stays at an EV bay whose every read was the same wrong plate.</summary>
    public int PersistentMisreads { get; init; }

    /// <summary>Vacancy reports that never arrived.</summary>
    public int LostVacancies { get; init; }

    /// <summary>Transaction messages a charger sent twice (as new calls).</summary>
    public int ResentChargerMessages { get; init; }
}

/// <summary>
/// One observation as the server receives it. A 1.6 charger learns its transaction id from the answer
/// to StartTransaction, so its later StopTransaction and MeterValues carry <see cref="TransactionRef"/>
/// and the player puts in the id the engine issued.
/// </summary>
public sealed record SimulatedMessage(Observation Observation, string? TransactionRef = null);

/// <summary>The ground truth of one charging transaction.</summary>
public sealed record TransactionTruth
{
    /// <summary>The simulator's name of the transaction (the 2.0.1 transaction id; for 1.6 the engine issues another).</summary>
    public required string Ref { get; init; }

    public required ChargerId Charger { get; init; }

    public required OcppVersion Version { get; init; }

    /// <summary>The 1.6 connector id or the 2.0.1 EVSE id the cable was plugged into.</summary>
    public required int Outlet { get; init; }

    public required string Vehicle { get; init; }

    public required string Plate { get; init; }

    /// <summary>The bay the vehicle stood in.</summary>
    public required string Bay { get; init; }

    /// <summary>The bay the outlet serves (differs from <see cref="Bay"/> when the cable reached over from a neighbouring bay).</summary>
    public required string ServedBay { get; init; }

    /// <summary>The true moment of the plug-in (server time; the charger's clock may differ by a few seconds).</summary>
    public required DateTimeOffset PluggedInAt { get; init; }

    public string? IdToken { get; init; }

    /// <summary>The evidence that could identify the vehicle; <see cref="Evidence.None"/> makes the transaction unresolvable.</summary>
    public required Evidence Evidence { get; init; }

    public required TransactionTraits Traits { get; init; }

    public bool IsResolvable => Evidence != Evidence.None;
}

/// <summary>
/// The strongest evidence that exists, in the messages the server receives, for who charged. A
/// transaction is <em>resolvable</em> when any exists; otherwise nothing could identify the vehicle and
/// no system can be blamed for not binding it (it is still counted, and a wrong binding of it is still wrong).
/// </summary>
public enum Evidence
{
    /// <summary>
    /// Nothing: no usable read of the vehicle during its stay at the bay, no id token that only this
    /// vehicle used before with a usable read, and other vehicles inside the car park it could be.
    /// </summary>
    None,

    /// <summary>
    /// The bay camera delivered (at any time) at least one usable read of the vehicle during the stay in
    /// which it plugged in, at the bay it stood in: readable text, confidence at or above the site's
    /// minimum, and the text is the vehicle's plate or within one OCR error of it (and of no other plate).
    /// </summary>
    BayRead,

    /// <summary>
    /// No usable bay read, but the id token was used before (plugged in earlier, its messages and read
    /// received before this transaction's binding window ended) only by this vehicle, at least once with
    /// a usable bay read: the token is known to belong to its plate.
    /// </summary>
    KnownToken,

    /// <summary>
    /// Neither, but the vehicle was the only one inside at the plug-in (entry read usable, not exited)
    /// that stood at no bay where a usable read placed it and was charging nowhere else.
    /// </summary>
    OnlyVehicleInside,
}

/// <summary>What made a transaction awkward (for the break-down of the results).</summary>
[Flags]
public enum TransactionTraits
{
    None = 0,

    /// <summary>The neighbouring outlet of the same charger was plugged in less than 10 s before or after.</summary>
    NeighbourWithin10s = 1 << 0,

    /// <summary>At least one bay read of the stay misread a character.</summary>
    OcrError = 1 << 1,

    /// <summary>No usable bay read of the stay (missed, unreadable or below the minimum confidence).</summary>
    BayReadMissed = 1 << 2,

    /// <summary>The bay camera's clock is off by 10 s or more.</summary>
    CameraClockSkewed = 1 << 3,

    /// <summary>The charger was offline at the plug-in: the transaction's messages were queued and arrived late.</summary>
    ChargerOffline = 1 << 4,

    /// <summary>The first usable read's camera time is after the plug-in's charger time.</summary>
    PlugInBeforeRead = 1 << 5,

    /// <summary>The first usable read is before the plug-in (by charger and camera clocks).</summary>
    ReadBeforePlugIn = 1 << 6,

    /// <summary>Parked more than the binding window (2 min) before plugging in.</summary>
    ParkedLongBeforePlugIn = 1 << 7,

    /// <summary>The car stood at the neighbouring bay and reached this outlet with its cable.</summary>
    NeighbourCable = 1 << 8,

    /// <summary>A fleet card or a free-vend charger: the token is shared by several vehicles.</summary>
    SharedToken = 1 << 9,

    /// <summary>The vehicle had charged at another EV bay just before (it moved).</summary>
    MovedBays = 1 << 10,

    /// <summary>The bay camera's reads of the stay were buffered and pushed minutes late.</summary>
    ReadsDeliveredLate = 1 << 11,

    /// <summary>Plugged in and never authorised (2.0.1: a transaction without energy).</summary>
    NeverAuthorized = 1 << 12,

    /// <summary>The charger speaks OCPP 2.0.1.</summary>
    Ocpp201 = 1 << 13,

    /// <summary>The vehicle's entry was misread or not read at the gate.</summary>
    GateReadWrong = 1 << 14,

    /// <summary>The car at the bay before was read again as it pulled out, less than 15 minutes before this plug-in.</summary>
    PreviousCarReReadLeaving = 1 << 15,

    /// <summary>A car that did not charge stood at the bay the outlet serves (the charging car reached over from the neighbouring bay).</summary>
    ParkedCarAtServedBay = 1 << 16,

    /// <summary>A car whose plate is one look-alike character away charged elsewhere meanwhile, and this car was read as its plate.</summary>
    LookAlikeTwin = 1 << 17,

    /// <summary>Every bay read of the stay gave the same wrong plate.</summary>
    PersistentMisread = 1 << 18,

    /// <summary>Around the plug-in, a read of another car (pulling out, or parked off-centre) was placed at this bay or its neighbour by zone or plate position.</summary>
    ReadAcrossBoundary = 1 << 19,

    /// <summary>The charger's clock is off by 10 s or more.</summary>
    ChargerClockSkewed = 1 << 20,
}
