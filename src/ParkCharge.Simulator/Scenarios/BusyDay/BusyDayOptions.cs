namespace ParkCharge.Simulator.Scenarios.BusyDay;

/// <summary>What to simulate: the seed, how many days, how many EV bays, and how often things go wrong.</summary>
public sealed record BusyDayOptions
{
    public int Seed { get; init; } = 1;

    public int Days { get; init; } = 1;

    /// <summary>EV bays (with their chargers and cameras). The site also has ten ordinary bays per EV bay.</summary>
    public int EvBays { get; init; } = 30;

    /// <summary>Midnight (UTC) of the first day.</summary>
    public DateTimeOffset FirstDay { get; init; } = new(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Vehicles arrive from this time of day (UTC)... (the staged situations, charger outages and connector
    /// faults fall inside the window too). A short window makes a short day, to play through a node in real time.
    /// </summary>
    public TimeSpan ArrivalsFrom { get; init; } = TimeSpan.FromHours(5.5);

    /// <summary>...until this time of day.</summary>
    public TimeSpan ArrivalsUntil { get; init; } = TimeSpan.FromHours(22.5);

    public BusyDayRates Rates { get; init; } = new();
}

/// <summary>
/// How often each awkward thing happens. The defaults are a busy, imperfect site as operators describe
/// theirs: they were set before the engine was measured against them and are not tuned to its results.
/// </summary>
public sealed record BusyDayRates
{
    /// <summary>Vehicles looking for an EV bay, per EV bay per hour at the busiest time of day (rush hours saturate the bays).</summary>
    public double EvArrivalsPerBayHour { get; init; } = 0.6;

    /// <summary>Vehicles parking in ordinary bays (seen at the gates only), per EV bay per hour at the busiest time.</summary>
    public double OrdinaryArrivalsPerBayHour { get; init; } = 1.2;

    /// <summary>Of the vehicles looking for an EV bay, the share that comes back on other days (same plate, same card).</summary>
    public double Regulars { get; init; } = 0.4;

    /// <summary>A petrol or diesel car parked in an EV bay.</summary>
    public double Ice { get; init; } = 0.06;

    /// <summary>An EV that parks in an EV bay and leaves without plugging in.</summary>
    public double LeavesWithoutCharging { get; init; } = 0.05;

    /// <summary>An EV that plugs in but never starts (card refused, gave up). 1.6: only status changes; 2.0.1: a transaction without energy.</summary>
    public double PlugsInWithoutStarting { get; init; } = 0.02;

    /// <summary>An EV that charges briefly, then moves to another EV bay and charges again with the same card.</summary>
    public double MovesBays { get; init; } = 0.03;

    /// <summary>Two cars arriving together at the two bays of one charger, plugging in less than 10 s apart.</summary>
    public double ArrivesInPair { get; init; } = 0.05;

    /// <summary>The driver plugs in only after 2 to 20 minutes (went to pay, to the shop, ...): read long before the plug-in.</summary>
    public double PlugsInLate { get; init; } = 0.12;

    /// <summary>The bay camera reads the plate only 20 to 100 s after the car stopped (reversing in, a person in front).</summary>
    public double ReadsLate { get; init; } = 0.2;

    /// <summary>No read at all of a vehicle's stay at a bay.</summary>
    public double MissedBayRead { get; init; } = 0.03;

    /// <summary>Only unreadable reads (empty text) of a stay.</summary>
    public double UnreadableBayRead { get; init; } = 0.01;

    /// <summary>Only reads below the site's minimum confidence of a stay.</summary>
    public double LowConfidenceBayRead { get; init; } = 0.015;

    /// <summary>Per read: one look-alike character confused (O/0, B/8, S/5, ...).</summary>
    public double LookAlikeError { get; init; } = 0.06;

    /// <summary>Per read: two look-alike characters confused.</summary>
    public double TwoLookAlikeErrors { get; init; } = 0.01;

    /// <summary>Per read: one character read as an unrelated one.</summary>
    public double OtherCharacterError { get; init; } = 0.01;

    /// <summary>Per gate read: one look-alike character confused.</summary>
    public double GateReadError { get; init; } = 0.03;

    /// <summary>A vehicle's entry or exit not read at all.</summary>
    public double MissedGateRead { get; init; } = 0.025;

    /// <summary>
    /// Per stay at an EV bay: the bay camera reads every read of the vehicle as one same wrong plate (one
    /// look-alike character: dirt, a font the camera gets wrong), not only now and then.
    /// </summary>
    public double PersistentMisread { get; init; } = 0.03;

    /// <summary>Per stay at an EV bay: the camera reads the car again as it pulls out (the previous car, seen just before the next one comes).</summary>
    public double ReReadLeaving { get; init; } = 0.35;

    /// <summary>
    /// How far from its bay's centre a plate is in the picture of a camera covering two bays by plate
    /// position (standard deviation, in picture widths; the centres are at 0.27 and 0.73, the boundary at 0.5).
    /// A car pulling out is 0.12 nearer the boundary: some of those reads cross it.
    /// </summary>
    public double PlatePositionSpread { get; init; } = 0.09;

    /// <summary>A read of a car pulling out that a camera with named zones reports in the neighbouring bay's zone.</summary>
    public double ZoneSlipLeaving { get; init; } = 0.1;

    /// <summary>A vacancy report (bay empty) that never arrives (lost push, the sensor did not trigger).</summary>
    public double LostVacancy { get; init; } = 0.2;

    /// <summary>
    /// Per ten EV bays per day: an ICE car parks in a bay, and a while later an EV parks at the neighbouring
    /// bay, finds its own outlet faulted and plugs into the ICE car's bay's outlet.
    /// </summary>
    public double IceBesideReachOver { get; init; } = 0.5;

    /// <summary>
    /// Per ten EV bays per day: two cars whose plates are one look-alike character apart (L228MGH, LZ28MGH)
    /// charge at the same time; the second one's bay camera reads it, most of the time, as the first one's plate.
    /// </summary>
    public double LookAlikeTwins { get; init; } = 0.5;

    /// <summary>A charger whose clock is off by 20 to 90 s (the others by a few seconds).</summary>
    public double ChargerClockSkewed { get; init; } = 0.1;

    /// <summary>Per transaction message: re-sent by the charger a few seconds later with a new message id (its answer was lost).</summary>
    public double ResentChargerMessage { get; init; } = 0.01;

    /// <summary>A camera whose clock is off by 10 to 30 s.</summary>
    public double CameraSkewedTens { get; init; } = 0.25;

    /// <summary>A camera whose clock is off by 30 to 75 s.</summary>
    public double CameraSkewedMore { get; init; } = 0.15;

    /// <summary>A camera whose clock is off by 2 to 4 minutes (no time server): ahead or behind the chargers' by more than the binding window.</summary>
    public double CameraSkewedMinutes { get; init; } = 0.05;

    /// <summary>A bay camera that reports its bay empty when the car leaves (zone-less two-bay cameras never do).</summary>
    public double CameraReportsVacancy { get; init; } = 0.5;

    /// <summary>A stay's reads buffered by the camera and pushed 1 to 10 minutes late.</summary>
    public double DelayedPush { get; init; } = 0.02;

    /// <summary>Per read: the camera pushes it twice (same read id).</summary>
    public double DuplicatePush { get; init; } = 0.03;

    /// <summary>Per charger per day: offline for 20 to 150 minutes, queueing its transaction messages.</summary>
    public double ChargerOutage { get; init; } = 0.15;

    /// <summary>Per connector per day: faulted for 1 to 6 hours (a car at its bay may use the neighbouring connector's cable).</summary>
    public double ConnectorFault { get; init; } = 0.05;

    /// <summary>Per charger: free vend (1.6 sends one fixed idTag for everyone, 2.0.1 sends NoAuthorization).</summary>
    public double FreeVendCharger { get; init; } = 0.1;

    /// <summary>Per vehicle: a fleet card shared with other company cars.</summary>
    public double FleetCard { get; init; } = 0.08;

    /// <summary>Per vehicle: starts from an app (a new token for every transaction).</summary>
    public double AppStart { get; init; } = 0.12;

    /// <summary>Per charger: OCPP 2.0.1 (otherwise 1.6).</summary>
    public double Ocpp201Charger { get; init; } = 0.4;
}
