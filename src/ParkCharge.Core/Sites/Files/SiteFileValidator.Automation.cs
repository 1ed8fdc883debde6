using ParkCharge.Core.Automation;
using ParkCharge.Core.Commands;
using ParkCharge.Core.Plates;

namespace ParkCharge.Core.Sites.Files;

/// <summary>
/// The site's <c>automation</c> section: autocharge by plate, stop at permit end, a maximum charging
/// time, the site power limit. Each rule is off unless <c>enabled: true</c>.
/// </summary>
public sealed partial class SiteFileValidator
{
    private static readonly string[] AutomationFields = ["autocharge", "stopAtPermitEnd", "maxChargingTime", "powerLimit"];
    private static readonly string[] AutochargeFields = ["enabled", "idToken", "permits", "learnedTokens", "localList", "plates"];
    private static readonly string[] AutochargePlateFields = ["plate", "idToken"];
    private static readonly string[] PermitEndFields = ["enabled", "notice"];
    private static readonly string[] MaxChargingTimeFields = ["enabled", "limit", "notice"];
    private static readonly string[] PowerLimitFields = ["enabled", "limitKw", "minimumKw", "unit", "voltage", "phases"];

    private static readonly (string Name, ChargingRateUnit Value)[] RateUnits = [("W", ChargingRateUnit.W), ("A", ChargingRateUnit.A)];

    /// <summary>OCPP 1.6 idTag is CiString20: a token longer than that cannot start a 1.6 charger.</summary>
    private const int MaxIdTokenLength = 20;

    private SiteAutomation Automation(DocumentMapping site)
    {
        if (Mapping(site, "", "automation") is not { } automation)
        {
            return new SiteAutomation();
        }

        CheckFields(automation, "automation", AutomationFields, "automation rule");
        return new SiteAutomation
        {
            Autocharge = Autocharge(automation),
            StopAtPermitEnd = StopAtPermitEnd(automation),
            MaxChargingTime = MaxChargingTime(automation),
            PowerLimit = PowerLimit(automation),
        };
    }

    private AutochargeRule Autocharge(DocumentMapping automation)
    {
        const string path = "automation.autocharge";
        if (Mapping(automation, "automation", "autocharge") is not { } rule)
        {
            return new AutochargeRule();
        }

        CheckFields(rule, path, AutochargeFields, "field");
        var enabled = Boolean(rule, path, "enabled") ?? false;
        var siteToken = IdToken(rule, path, "idToken");
        var permits = Boolean(rule, path, "permits") ?? false;
        var learned = Boolean(rule, path, "learnedTokens") ?? false;
        var localList = Boolean(rule, path, "localList") ?? false;
        var plates = new List<AutochargePlate>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (node, itemPath) in Elements(rule, path, "plates"))
        {
            string? raw;
            string? token = null;
            if (node is DocumentMapping entry)
            {
                CheckFields(entry, itemPath, AutochargePlateFields, "field");
                raw = Text(entry, itemPath, "plate", required: true);
                token = IdToken(entry, itemPath, "idToken");
            }
            else
            {
                raw = ScalarText(node, itemPath, "a plate, or a mapping of plate and idToken");
            }

            if (raw is null)
            {
                continue;
            }

            var plate = PlateText.Of(raw);
            if (plate.IsUnreadable)
            {
                Error(itemPath, $"{Quote(raw)} has no letters or digits: it is not a plate", node.Line);
                continue;
            }

            if (!seen.Add(plate.Normalized))
            {
                Warn(itemPath, $"plate {plate.Normalized} is listed twice; the first entry counts", node.Line);
                continue;
            }

            plates.Add(new AutochargePlate(plate.Normalized, token));
        }

        if (enabled && siteToken is null)
        {
            var without = plates.Where(p => p.IdToken is null).Select(p => p.Plate).Take(3).ToList();
            if (without.Count > 0)
            {
                Error(Paths.Field(path, "idToken"), $"is required: plate(s) {string.Join(", ", without)} have no idToken of their own and are started with the site's", rule.Line);
            }
            else if (permits)
            {
                Error(Paths.Field(path, "idToken"), "is required: permit holders are started with the site's id token", rule.Line);
            }
        }

        if (enabled && plates.Count == 0 && !permits && !learned)
        {
            Warn(path, "is enabled but no vehicle can autocharge: list plates, or set permits or learnedTokens", rule.Line);
        }

        return new AutochargeRule { Enabled = enabled, IdToken = siteToken, Plates = plates, Permits = permits, LearnedTokens = learned, LocalList = localList };
    }

    private PermitEndRule StopAtPermitEnd(DocumentMapping automation)
    {
        const string path = "automation.stopAtPermitEnd";
        if (Mapping(automation, "automation", "stopAtPermitEnd") is not { } rule)
        {
            return new PermitEndRule();
        }

        CheckFields(rule, path, PermitEndFields, "field");
        var defaults = new PermitEndRule();
        var notice = Duration(rule, path, "notice");
        if (notice < TimeSpan.Zero)
        {
            Error(Paths.Field(path, "notice"), $"must not be negative (it is {Durations.Format(notice.Value)})", Line(rule, "notice"));
            notice = null;
        }

        return new PermitEndRule { Enabled = Boolean(rule, path, "enabled") ?? false, Notice = notice ?? defaults.Notice };
    }

    private MaxChargingTimeRule MaxChargingTime(DocumentMapping automation)
    {
        const string path = "automation.maxChargingTime";
        if (Mapping(automation, "automation", "maxChargingTime") is not { } rule)
        {
            return new MaxChargingTimeRule();
        }

        CheckFields(rule, path, MaxChargingTimeFields, "field");
        var defaults = new MaxChargingTimeRule();
        var limit = Duration(rule, path, "limit");
        if (limit <= TimeSpan.Zero)
        {
            Error(Paths.Field(path, "limit"), $"must be longer than zero (it is {Durations.Format(limit.Value)})", Line(rule, "limit"));
            limit = null;
        }

        var notice = Duration(rule, path, "notice");
        if (notice < TimeSpan.Zero)
        {
            Error(Paths.Field(path, "notice"), $"must not be negative (it is {Durations.Format(notice.Value)})", Line(rule, "notice"));
            notice = null;
        }

        return new MaxChargingTimeRule { Enabled = Boolean(rule, path, "enabled") ?? false, Limit = limit ?? defaults.Limit, Notice = notice ?? defaults.Notice };
    }

    private PowerLimitRule PowerLimit(DocumentMapping automation)
    {
        const string path = "automation.powerLimit";
        if (Mapping(automation, "automation", "powerLimit") is not { } rule)
        {
            return new PowerLimitRule();
        }

        CheckFields(rule, path, PowerLimitFields, "field");
        var defaults = new PowerLimitRule();
        var enabled = Boolean(rule, path, "enabled") ?? false;
        var limit = Number(rule, path, "limitKw");
        var minimum = Number(rule, path, "minimumKw");
        var voltage = Number(rule, path, "voltage");
        var phases = WholeNumber(rule, path, "phases", required: false);
        if (limit is null && enabled && rule.Find("limitKw") is null)
        {
            Error(Paths.Field(path, "limitKw"), "is required when the power limit is enabled: the site's limit in kW", rule.Line);
        }
        else if (limit <= 0)
        {
            Error(Paths.Field(path, "limitKw"), $"must be more than zero (it is {Show(limit.Value)})", Line(rule, "limitKw"));
        }

        if (minimum < 0)
        {
            Error(Paths.Field(path, "minimumKw"), $"must not be negative (it is {Show(minimum.Value)})", Line(rule, "minimumKw"));
        }
        else if (minimum > limit)
        {
            Error(Paths.Field(path, "minimumKw"), $"is more than the limit ({Show(minimum.Value)} > {Show(limit!.Value)}): no session could be served", Line(rule, "minimumKw"));
        }

        if (voltage <= 0)
        {
            Error(Paths.Field(path, "voltage"), $"must be more than zero (it is {Show(voltage.Value)})", Line(rule, "voltage"));
        }

        if (phases is < 1 or > 3)
        {
            Error(Paths.Field(path, "phases"), $"must be 1, 2 or 3 (it is {phases})", Line(rule, "phases"));
        }

        return new PowerLimitRule
        {
            Enabled = enabled,
            LimitKw = limit is > 0 ? (decimal)limit.Value : 0,
            MinimumKw = minimum is >= 0 ? (decimal)minimum.Value : 0,
            Unit = Choice(rule, path, "unit", RateUnits, required: false) ?? defaults.Unit,
            Voltage = voltage is > 0 ? (decimal)voltage.Value : defaults.Voltage,
            Phases = phases is >= 1 and <= 3 ? phases.Value : defaults.Phases,
        };
    }

    /// <summary>An id token a charger is started with: printable ASCII, at most 20 characters (OCPP 1.6 idTag).</summary>
    private string? IdToken(DocumentMapping mapping, string path, string name)
    {
        if (Text(mapping, path, name, required: false) is not { } token)
        {
            return null;
        }

        if (token.Length is 0 or > MaxIdTokenLength || token.Any(c => c is <= ' ' or >= (char)127))
        {
            Error(Paths.Field(path, name), $"{Quote(token)} is not an id token (1 to {MaxIdTokenLength} printable ASCII characters without spaces, as OCPP 1.6 allows)", Line(mapping, name));
            return null;
        }

        return token;
    }
}
