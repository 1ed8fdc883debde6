using ParkCharge.Core.Automation;
using ParkCharge.Core.Commands;
using ParkCharge.Server.Sites;

using static ParkCharge.Server.Tests.Sites.SiteFileSamples;

namespace ParkCharge.Server.Tests.Sites;

/// <summary>The <c>automation</c> section of a site file: each rule switched on or off, every mistake named.</summary>
public sealed class SiteFileAutomationTests
{
    private const string Automation = """

        automation:
          autocharge:
            enabled: true
            idToken: PC-AUTO
            permits: true
            plates:
              - ab-123 cd
              - { plate: "XY 987", idToken: FLEET-42 }
          stopAtPermitEnd: { enabled: true, notice: 15m }
          maxChargingTime: { enabled: true, limit: 3h, notice: 20m }
          powerLimit: { enabled: true, limitKw: 44, minimumKw: 4.2, unit: A, voltage: 230, phases: 3 }
        """;

    [Fact]
    public void The_automation_section_maps_to_the_rules_with_plates_normalised()
    {
        var result = Parse(MinimalYaml + Automation);

        Assert.Empty(result.Errors);
        var rules = result.Configuration!.Automation;
        Assert.Equal((true, "PC-AUTO", true, false), (rules.Autocharge.Enabled, rules.Autocharge.IdToken, rules.Autocharge.Permits, rules.Autocharge.LearnedTokens));
        Assert.Equal([new AutochargePlate("AB123CD"), new AutochargePlate("XY987", "FLEET-42")], rules.Autocharge.Plates);
        Assert.Equal(new PermitEndRule { Enabled = true, Notice = TimeSpan.FromMinutes(15) }, rules.StopAtPermitEnd);
        Assert.Equal(new MaxChargingTimeRule { Enabled = true, Limit = TimeSpan.FromHours(3), Notice = TimeSpan.FromMinutes(20) }, rules.MaxChargingTime);
        Assert.Equal(new PowerLimitRule { Enabled = true, LimitKw = 44, MinimumKw = 4.2m, Unit = ChargingRateUnit.A, Voltage = 230, Phases = 3 }, rules.PowerLimit);
    }

    [Fact]
    public void A_site_without_the_section_has_every_rule_off()
    {
        var rules = Parse(MinimalYaml).Configuration!.Automation;

        Assert.False(rules.Autocharge.Enabled || rules.StopAtPermitEnd.Enabled || rules.MaxChargingTime.Enabled || rules.PowerLimit.Enabled);
    }

    [Fact]
    public void Mistakes_in_the_automation_section_are_named_with_their_path_and_line()
    {
        const string broken = """

            automation:
              autocharge:
                enabled: true
                plates: [ "AB123", "--", { plate: CD456, idToken: "a-token-far-too-long-for-ocpp-16" } ]
                learnedToken: true
              stopAtPermitEnd: { enabled: true, notice: -5m }
              powerLimit: { enabled: true, minimumKw: -1, unit: kW, phases: 4 }
              idle: {}
              maxChargingTime: { enabled: true, limit: 0s }
            """;

        var errors = Errors(MinimalYaml + broken);

        Assert.Contains("automation.idle: unknown automation rule (known: autocharge, stopAtPermitEnd, maxChargingTime, powerLimit) (line 12)", errors);
        Assert.Contains("automation.maxChargingTime.limit: must be longer than zero (it is 0s) (line 13)", errors);
        Assert.Contains("automation.autocharge.plates[1]: '--' has no letters or digits: it is not a plate (line 8)", errors);
        Assert.Contains("automation.autocharge.plates[2].idToken: 'a-token-far-too-long-for-ocpp-16' is not an id token (1 to 20 printable ASCII characters without spaces, as OCPP 1.6 allows) (line 8)", errors);
        Assert.Contains("automation.autocharge.learnedToken: unknown field; did you mean learnedTokens? (line 9)", errors);
        Assert.Contains(errors, e => e.StartsWith("automation.autocharge.idToken: is required: plate(s) AB123, CD456 have no idToken of their own", StringComparison.Ordinal));
        Assert.Contains("automation.stopAtPermitEnd.notice: must not be negative (it is -5m) (line 10)", errors);
        Assert.Contains("automation.powerLimit.limitKw: is required when the power limit is enabled: the site's limit in kW (line 11)", errors);
        Assert.Contains("automation.powerLimit.minimumKw: must not be negative (it is -1) (line 11)", errors);
        Assert.Contains(errors, e => e.StartsWith("automation.powerLimit.unit: 'kW' is not one of W, A", StringComparison.Ordinal) && e.EndsWith("(line 11)", StringComparison.Ordinal));
        Assert.Contains("automation.powerLimit.phases: must be 1, 2 or 3 (it is 4) (line 11)", errors);
    }

    [Fact]
    public void A_rule_that_can_start_nobody_is_a_warning()
    {
        var result = Parse(MinimalYaml + "\nautomation: { autocharge: { enabled: true, idToken: PC-AUTO } }\n");

        Assert.Empty(result.Errors);
        Assert.Equal(["automation.autocharge: is enabled but no vehicle can autocharge: list plates, or set permits or learnedTokens (line 5)"], result.Warnings.Select(w => w.ToString()));
    }

    [Fact]
    public void A_document_read_back_keeps_the_automation_rules()
    {
        var original = Parse(MinimalYaml + Automation);

        var json = SiteDocument.From(original.Configuration!, []).ToJson();
        var reread = Parse(json, "read-back.json", NoEnvironment);

        Assert.Empty(reread.Errors);
        Assert.Equal(Fields(original.Configuration!), Fields(reread.Configuration!));
        Assert.DoesNotContain("automation", SiteDocument.From(Parse(MinimalYaml).Configuration!, []).ToJson(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_operators_guide_automation_example_passes()
    {
        var guide = File.ReadAllText(Path.Combine(Repository.Root, "docs", "operators.md")).ReplaceLineEndings("\n");
        var section = guide[guide.IndexOf("## Automation", StringComparison.Ordinal)..];
        var start = section.IndexOf("```yaml\n", StringComparison.Ordinal) + "```yaml\n".Length;
        var shown = section[start..section.IndexOf("```", start, StringComparison.Ordinal)];

        var result = Parse(MinimalYaml + "\n" + shown, "operators.md");

        Assert.Empty(result.Errors);
        Assert.Empty(result.Warnings);
        Assert.True(result.Configuration!.Automation.Autocharge.Enabled && result.Configuration.Automation.PowerLimit.Enabled && result.Configuration.Automation.StopAtPermitEnd.Enabled
            && result.Configuration.Automation.MaxChargingTime.Enabled);
    }
}
