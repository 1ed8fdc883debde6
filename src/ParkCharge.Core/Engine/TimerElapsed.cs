using ParkCharge.Core.Observations;

namespace ParkCharge.Core.Engine;

/// <summary>
/// A deadline the engine asked for has passed (a maximum stay, a waiting window). Timers are
/// observations like any other (DESIGN.md §1.2): the host submits one when the state's
/// <see cref="SiteState.NextDeadline"/> is reached, so replaying the log replays the timers too.
/// </summary>
public sealed record TimerElapsed(DateTimeOffset DueAt) : ObservationPayload(TypeName)
{
    public const string TypeName = "engine.timer_elapsed";
}
