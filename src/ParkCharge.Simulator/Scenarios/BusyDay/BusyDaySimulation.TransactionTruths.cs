using ParkCharge.Core.Charging;
using ParkCharge.Core.Plates;

namespace ParkCharge.Simulator.Scenarios.BusyDay;

/// <summary>
/// The answer key: for each transaction, the vehicle that really charged and what made it hard (the cases the
/// binding benchmark reports), judged from the traffic and from what the devices did with it.
/// </summary>
internal sealed partial class BusyDaySimulation
{
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
}
