using System.Text.Json;

using ParkCharge.Server.Ocpi;

namespace ParkCharge.Server.Tests.Billing;

/// <summary><c>parkcharge price --tariff T.json --cdr C.json</c>: the calculator as a process, as an operator runs it.</summary>
public sealed class PriceCommandTests
{
    private static string Example(string example, string file) => Path.Combine(Repository.Root, "docs", "examples", "ocpi", example, file);

    [Fact]
    public async Task The_spec_example_with_parking_and_start_fee_prints_its_priced_cdr_with_exit_code_0()
    {
        var (exitCode, output, error) = await RunAsync("--tariff", Example("parking-start-fee", "tariff.json"), "--cdr", Example("parking-start-fee", "cdr-20kwh-parked-40min.json"));

        using var cdr = JsonDocument.Parse(output);
        Assert.Equal((0, ""), (exitCode, error));
        Assert.Equal(
            (7.00m, 7.90m, 1.50m),
            (cdr.RootElement.GetProperty("total_cost").GetProperty("excl_vat").GetDecimal(), cdr.RootElement.GetProperty("total_cost").GetProperty("incl_vat").GetDecimal(),
                cdr.RootElement.GetProperty("total_parking_cost").GetProperty("excl_vat").GetDecimal()));
    }

    [Fact]
    public async Task A_cdr_with_its_own_tariffs_needs_no_tariff_file()
    {
        var (exitCode, output, _) = await RunAsync("--cdr", Example("cdr-example", "cdr.json"));

        using var cdr = JsonDocument.Parse(output);
        Assert.Equal(0, exitCode);
        Assert.Equal(4.40m, cdr.RootElement.GetProperty("total_cost").GetProperty("incl_vat").GetDecimal());
    }

    [Fact]
    public void The_time_zone_option_makes_restrictions_local()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exitCode = PriceCommand.Run(Example("step-size", "tariff.json"), Example("step-size", "cdr-2-from-16.35.json"), "Europe/Amsterdam", null, output, error, DateTimeOffset.UnixEpoch);

        using var cdr = JsonDocument.Parse(output.ToString());
        Assert.Equal(0, exitCode);
        Assert.Equal(1.80m, cdr.RootElement.GetProperty("total_cost").GetProperty("excl_vat").GetDecimal());
    }

    [Fact]
    public void A_bad_tariff_prints_each_problem_with_its_path_and_exits_1_and_a_tariff_of_another_type_exits_2()
    {
        var folder = Directory.CreateTempSubdirectory("parkcharge-price-");
        try
        {
            var bad = Path.Combine(folder.FullName, "bad.json");
            File.WriteAllText(bad, """{ "id": "x", "currency": "EUR", "elements": [ { "price_components": [ { "type": "ENERGIE", "price": 0.3 } ] } ] }""");
            using var output = new StringWriter();
            using var error = new StringWriter();

            var invalid = PriceCommand.Run(bad, Example("simple-energy", "cdr-20kwh.json"), null, null, output, error, DateTimeOffset.UnixEpoch);
            var otherType = PriceCommand.Run(Example("ad-hoc-alt-text", "tariff.json"), Example("ad-hoc-alt-text", "cdr-2.5h.json"), null, "REGULAR", TextWriter.Null, TextWriter.Null, DateTimeOffset.UnixEpoch);

            Assert.Equal((1, 2), (invalid, otherType));
            Assert.Equal("", output.ToString());
            Assert.Contains($"{bad}.elements[0].price_components[0].type: 'ENERGIE' is not one of ENERGY, FLAT, TIME, PARKING_TIME; did you mean ENERGY? (line 1)", error.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] arguments) =>
        ParkChargeProcess.RunAsync(new Dictionary<string, string?>(), ["price", .. arguments]);
}
