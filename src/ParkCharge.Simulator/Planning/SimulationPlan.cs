using System.Globalization;
using System.Text;

using ParkCharge.Simulator.Sites;

namespace ParkCharge.Simulator.Planning;

/// <summary>One read a camera pushes: the text it read, how sure it was, and the time on its own (maybe skewed) clock.</summary>
public sealed record PlannedRead(DateTimeOffset CapturedAt, string Text, double Confidence);

/// <summary>
/// A vehicle passing a camera at <see cref="At"/> (true time). <see cref="Reads"/> is empty when the
/// camera missed it, and holds several reads a second apart when it read the car in a burst.
/// </summary>
public sealed record CameraPass(SiteCamera Camera, DateTimeOffset At, IReadOnlyList<PlannedRead> Reads, BayView? View = null);

/// <summary>How an EV charges at its bay: the battery, and when it plugs in and out.</summary>
public sealed record PlannedCharge(
    SiteEvBay Bay,
    CameraPass? BayRead,
    DateTimeOffset PlugIn,
    DateTimeOffset Unplug,
    double BatteryKWh,
    double StartSoc,
    double MaxPowerKW,
    string IdTag);

/// <summary>One vehicle's stay: in through the entry lane, maybe charging at an EV bay, out through the exit lane.</summary>
public sealed record PlannedVisit(int Number, string Plate, bool IsEv, CameraPass Entry, PlannedCharge? Charge, CameraPass Exit)
{
    public DateTimeOffset Arrival => Entry.At;

    public DateTimeOffset Departure => Exit.At;
}

/// <summary>A charger that loses its connection from <see cref="From"/> until <see cref="Until"/>.</summary>
public sealed record ChargerOutage(string Charger, DateTimeOffset From, DateTimeOffset Until);

/// <summary>A connector that reports Faulted from <see cref="From"/> until <see cref="Until"/>.</summary>
public sealed record ConnectorFault(SiteEvBay Bay, DateTimeOffset From, DateTimeOffset Until, string ErrorCode);

/// <summary>
/// Everything a scenario run will do, drawn from the seed before anything is sent: the same scenario
/// and seed give the same plan, so a run can be repeated and a test can compare the server's view
/// with the truth.
/// </summary>
public sealed record SimulationPlan(
    DateTimeOffset Start,
    DateTimeOffset End,
    IReadOnlyList<PlannedVisit> Visits,
    IReadOnlyList<ChargerOutage> Outages,
    IReadOnlyList<ConnectorFault> Faults)
{
    /// <summary>Visits whose vehicle leaves before the end of the run (the others are still inside when it stops).</summary>
    public IEnumerable<PlannedVisit> CompletedVisits => Visits.Where(v => v.Departure < End);

    /// <summary>The plan as text, one line per fact, times relative to the start: to compare two plans or read one.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        string T(DateTimeOffset at) => (at - Start).ToString(@"d\.hh\:mm\:ss", CultureInfo.InvariantCulture);
        string Reads(CameraPass? pass) => pass is null ? "-" : pass.Reads.Count == 0 ? $"{pass.Camera.Id}@{T(pass.At)}:missed"
            : $"{pass.Camera.Id}@{T(pass.At)}:" + string.Join('|', pass.Reads.Select(r => $"{r.Text}/{r.Confidence.ToString("0.00", CultureInfo.InvariantCulture)}/{(r.CapturedAt - pass.At).TotalSeconds.ToString("0", CultureInfo.InvariantCulture)}s"));
        foreach (var v in Visits)
        {
            text.Append(CultureInfo.InvariantCulture, $"visit {v.Number} {v.Plate} ev={v.IsEv} in={Reads(v.Entry)} out={Reads(v.Exit)}");
            if (v.Charge is { } c)
            {
                text.Append(CultureInfo.InvariantCulture, $" bay={c.Bay.Id} read={Reads(c.BayRead)} plug={T(c.PlugIn)} unplug={T(c.Unplug)} battery={c.BatteryKWh} soc={c.StartSoc:0.000} kw={c.MaxPowerKW} tag={c.IdTag}");
            }

            text.AppendLine();
        }

        foreach (var o in Outages)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"offline {o.Charger} {T(o.From)}..{T(o.Until)}");
        }

        foreach (var f in Faults)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"fault {f.Bay.Charger}/{f.Bay.Connector} {f.ErrorCode} {T(f.From)}..{T(f.Until)}");
        }

        return text.ToString();
    }
}
