using System.CommandLine;
using System.Text.Json;

using ParkCharge.Core.Sites.Files;
using ParkCharge.Documents;

namespace ParkCharge.Server.Ocpi;

/// <summary>
/// <c>parkcharge price --tariff T.json --cdr C.json</c>: the public price calculator on the command line, without a
/// node or a database. Prints the priced CDR (OCPI 2.2.1 JSON) on standard output; problems on standard error.
/// </summary>
internal static class PriceCommand
{
    public static Command Create()
    {
        var tariff = new Option<string>("--tariff") { Description = "An OCPI 2.2.1 Tariff, or a list of them (JSON or YAML). Left out: the CDR's own tariffs.", Required = false };
        var cdr = new Option<string>("--cdr") { Description = "An OCPI 2.2.1 CDR, or a list of its charging periods (JSON or YAML).", Required = true };
        var zone = new Option<string?>("--time-zone") { Description = "The IANA time zone of the charger's location: tariff restrictions are local (default UTC)." };
        var type = new Option<string?>("--type") { Description = "The session's tariff type, to choose among tariffs: AD_HOC_PAYMENT, PROFILE_CHEAP, PROFILE_FAST, PROFILE_GREEN, REGULAR." };
        var command = new Command("price", "Price an OCPI CDR with an OCPI tariff, as ParkCharge bills: prints the priced CDR.") { tariff, cdr, zone, type };
        command.SetAction(parse => Run(
            parse.GetValue(tariff), parse.GetValue(cdr)!, parse.GetValue(zone), parse.GetValue(type), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, DateTimeOffset.UtcNow));
        return command;
    }

    /// <returns>0 priced, 1 a file is missing or not valid, 2 no tariff applies to the session.</returns>
    public static int Run(string? tariffFile, string cdrFile, string? timeZone, string? type, TextWriter output, TextWriter error, DateTimeOffset now)
    {
        var problems = new List<DocumentProblem>();
        var tariffs = tariffFile is null ? null : Read(tariffFile, problems);
        var cdr = Read(cdrFile, problems);
        if (problems.Count > 0 || cdr is null || (tariffFile is not null && tariffs is null))
        {
            foreach (var problem in problems)
            {
                error.WriteLine(problem.ToString());
            }

            return 1;
        }

        var result = PriceCalculator.Price(tariffs, tariffFile ?? Paths.Field(cdrFile, "tariffs"), cdr, cdrFile, timeZone, type, now);
        foreach (var warning in result.Warnings)
        {
            error.WriteLine($"warning: {warning}");
        }

        foreach (var problem in result.Errors)
        {
            error.WriteLine(problem.ToString());
        }

        if (result.Cdr is not { } priced)
        {
            return result.Status == 422 ? 2 : 1;
        }

        output.WriteLine(priced.ToJsonString(Indented));
        return 0;
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private static DocumentNode? Read(string file, List<DocumentProblem> problems)
    {
        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Add(new DocumentProblem(file, $"cannot read the file: {e.Message}"));
            return null;
        }

        var errors = new List<DocumentProblem>();
        var node = DocumentReader.Read(text, errors);
        problems.AddRange(errors.Select(e => e with { Path = e.Path.Length == 0 ? file : Paths.Field(file, e.Path) }));
        return node;
    }
}
