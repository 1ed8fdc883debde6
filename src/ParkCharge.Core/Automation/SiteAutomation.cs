using ParkCharge.Core.Commands;

namespace ParkCharge.Core.Automation;

/// <summary>
/// The site's automation rules, each switched on or off in the site configuration. Every action a
/// rule takes is a command with the rule as its origin, and an audit entry that says why.
/// </summary>
public sealed record SiteAutomation
{
    public AutochargeRule Autocharge { get; init; } = new();

    public PermitEndRule StopAtPermitEnd { get; init; } = new();

    public MaxChargingTimeRule MaxChargingTime { get; init; } = new();

    public PowerLimitRule PowerLimit { get; init; } = new();
}

/// <summary>
/// Autocharge by plate: a vehicle that may autocharge, read at an EV bay whose connector reports a
/// plug-in (1.6 Preparing, 2.0.1 Occupied) with no authorised transaction, is started remotely: the
/// plate is the credential. A vehicle may autocharge when its plate is on <see cref="Plates"/>, or
/// holds a valid permit (<see cref="Permits"/>), or was seen with an id token before (<see cref="LearnedTokens"/>).
/// One attempt per bay visit.
/// </summary>
public sealed record AutochargeRule
{
    public bool Enabled { get; init; }

    /// <summary>The site's token, used for vehicles without a token of their own (at most 20 characters: OCPP 1.6 idTag).</summary>
    public string? IdToken { get; init; }

    /// <summary>Plates that may autocharge, each with its own token or the site's.</summary>
    public IReadOnlyList<AutochargePlate> Plates { get; init; } = [];

    /// <summary>Plates with a permit valid now (the site's tariff permits) may autocharge too, with the site's token.</summary>
    public bool Permits { get; init; }

    /// <summary>Plates seen with an id token in an earlier confident binding may autocharge, with that token.</summary>
    public bool LearnedTokens { get; init; }

    /// <summary>
    /// Push the plates' own tokens (and, with <see cref="LearnedTokens"/>, the learnt ones) to every charger's local
    /// authorisation list, so that a charger that cannot reach ParkCharge still starts charging for these vehicles.
    /// </summary>
    /// <remarks>Left out of the log when false, so sites configured without it are stored as before.</remarks>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool LocalList { get; init; }
}

/// <summary>A plate on the autocharge list (normalised), with the token its charging is started with (null: the site's).</summary>
public sealed record AutochargePlate(string Plate, string? IdToken = null);

/// <summary>
/// Stop charging when the permit of the bound vehicle ends: a <c>charging.stop_scheduled</c> event
/// <see cref="Notice"/> before, then a remote stop at the end.
/// </summary>
public sealed record PermitEndRule
{
    public bool Enabled { get; init; }

    public TimeSpan Notice { get; init; } = TimeSpan.FromMinutes(10);
}

/// <summary>
/// An operator's rule: no charging session lasts longer than <see cref="Limit"/> (a busy site sharing
/// its chargers). A <c>charging.stop_scheduled</c> event <see cref="Notice"/> before, then a remote stop.
/// Applies to every session, bound to a vehicle or not.
/// </summary>
public sealed record MaxChargingTimeRule
{
    public bool Enabled { get; init; }

    public TimeSpan Limit { get; init; } = TimeSpan.FromHours(4);

    public TimeSpan Notice { get; init; } = TimeSpan.FromMinutes(10);
}

/// <summary>
/// The site's power limit: the running sessions share <see cref="LimitKw"/> equally, each at least
/// <see cref="MinimumKw"/>; sessions beyond what the limit can give the minimum to wait at zero
/// (first started, first served). Shares go to the chargers as TxProfile charging profiles and are
/// re-shared whenever a session starts or stops.
/// </summary>
public sealed record PowerLimitRule
{
    public bool Enabled { get; init; }

    public decimal LimitKw { get; init; }

    /// <summary>The least a charging session is given (many EVs stop below about 1.4 kW per phase).</summary>
    public decimal MinimumKw { get; init; }

    /// <summary>The unit of the profiles sent: W, or A (for chargers that take only current limits).</summary>
    public ChargingRateUnit Unit { get; init; } = ChargingRateUnit.W;

    /// <summary>Phase voltage, to turn watts into amperes.</summary>
    public decimal Voltage { get; init; } = 230;

    /// <summary>Phases, to turn watts into amperes per phase.</summary>
    public int Phases { get; init; } = 3;
}
