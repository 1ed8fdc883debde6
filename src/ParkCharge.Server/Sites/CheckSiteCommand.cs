using System.CommandLine;

namespace ParkCharge.Server.Sites;

/// <summary>
/// <c>parkcharge check-site FILE...</c>: validates site files as a node would load them, without
/// a database or a network, so a file can be checked before it is deployed (or in CI).
/// </summary>
internal static class CheckSiteCommand
{
    public static Command Create()
    {
        var files = new Argument<string[]>("FILE") { Arity = ArgumentArity.OneOrMore, Description = "Site files (YAML or JSON) to check." };
        var command = new Command("check-site", "Check site files (YAML or JSON) and list every problem; starts nothing.") { files };
        command.SetAction(parse => Run(parse.GetValue(files)!, SiteFile.ProcessEnvironment(), parse.InvocationConfiguration.Output));
        return command;
    }

    /// <returns>0 when every file is valid (warnings allowed), 1 otherwise.</returns>
    public static int Run(IReadOnlyList<string> files, IReadOnlyDictionary<string, string?> environment, TextWriter output)
    {
        var allValid = true;
        // Keys are hashed only to be checked here (each camera its own); nothing is stored.
        var keys = Auth.KeyHasher.Ephemeral();
        foreach (var file in files)
        {
            var result = SiteFile.Load(file, environment, keys);
            foreach (var error in result.Errors)
            {
                output.WriteLine($"{file}: {error}");
            }

            if (result.Configuration is { } site)
            {
                output.WriteLine(
                    $"{file}: OK — site '{site.Id}' ({site.Name}): {Count(site.Lanes.Count, "lane")}, {Count(site.Cameras.Count, "camera")}, " +
                    $"{Count(site.EvBays.Count, "EV bay")}, {Count(site.OrdinaryBays, "ordinary bay")}, {Count(result.Chargers.Count, "charger")}" +
                    (result.DeclaresTariffs
                        ? $"; tariffs: {Count(site.Tariffs.Parking.Count, "parking tariff")}, {Count(site.Tariffs.Charging.Count, "charging tariff")}, {Count(site.Tariffs.Permits.Count, "permit")}"
                        : ""));
            }
            else
            {
                allValid = false;
            }

            foreach (var warning in result.Warnings)
            {
                output.WriteLine($"{file}: warning: {warning}");
            }

            if (result.Configuration is null)
            {
                output.WriteLine($"{file}: {Count(result.Errors.Count, "error")}, {Count(result.Warnings.Count, "warning")}");
            }
        }

        return allValid ? 0 : 1;
    }

    private static string Count(int count, string thing) => count == 1 ? $"1 {thing}" : $"{count} {thing}s";
}
