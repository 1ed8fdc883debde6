using System.CommandLine;

using ParkCharge.Server.Auth;
using ParkCharge.Server.Hosting;
using ParkCharge.Server.Ocpi;
using ParkCharge.Server.Sandbox;
using ParkCharge.Server.Sites;

var urls = new Option<string?>("--urls") { Description = $"Where to listen (default {ParkChargeApp.DefaultUrl})." };
var data = new Option<string?>("--data") { Description = "The data folder for the SQLite store (default ./data)." };
var postgres = new Option<string?>("--postgres") { Description = "A PostgreSQL connection string; switches the store from SQLite to PostgreSQL (also PARKCHARGE_POSTGRES)." };
var cluster = new Option<bool>("--cluster") { Description = "Join the other nodes on the same PostgreSQL database as one cluster (needs --postgres; docs/operators.md, \"Running a cluster\")." };
var autoRegister = new Option<bool>("--auto-register") { Description = "Accept unknown chargers and register them at the default site." };
var sites = new Option<string[]>("--site") { Description = "A site file (YAML or JSON) to load at start; repeat for several (replaces ParkCharge:SiteFiles).", AllowMultipleArgumentsPerToken = false };

var serve = new Command("serve", "Run a ParkCharge node: OCPP central system and integration API.") { urls, data, postgres, cluster, autoRegister, sites };
serve.SetAction(async (parse, ct) =>
{
    var settings = new Dictionary<string, string?>();
    if (parse.GetValue(urls) is { } u)
    {
        settings["urls"] = u;
    }

    if (parse.GetValue(data) is { } d)
    {
        settings["ParkCharge:DataDirectory"] = d;
    }

    if (parse.GetValue(postgres) is { } p)
    {
        settings["ParkCharge:Postgres"] = p;
    }

    if (parse.GetValue(cluster))
    {
        settings["ParkCharge:Cluster:Enabled"] = "true";
    }

    if (parse.GetValue(autoRegister))
    {
        settings["ParkCharge:Ocpp:Registration"] = nameof(RegistrationPolicy.AutoRegister);
    }

    var siteFiles = parse.GetValue(sites) ?? [];
    for (var i = 0; i < siteFiles.Length; i++)
    {
        settings[$"ParkCharge:SiteFiles:{i}"] = Path.GetFullPath(siteFiles[i]);
    }

    try
    {
        await using var app = await ParkChargeApp.CreateAsync([.. parse.UnmatchedTokens], settings);
        await app.RunAsync(ct);
        return 0;
    }
    catch (SiteDocumentException e)
    {
        await Console.Error.WriteLineAsync($"ParkCharge did not start: the site file {e.Document} cannot be used.");
        foreach (var problem in e.Problems)
        {
            await Console.Error.WriteLineAsync($"  {problem}");
        }

        await Console.Error.WriteLineAsync("Check it with: parkcharge check-site " + e.Document);
        return 1;
    }
    catch (Microsoft.Extensions.Options.OptionsValidationException e)
    {
        await Console.Error.WriteLineAsync("ParkCharge did not start: its settings cannot be used.");
        foreach (var failure in e.Failures)
        {
            await Console.Error.WriteLineAsync($"  {failure}");
        }

        await Console.Error.WriteLineAsync("See the configuration table in README.md and docs/operators.md.");
        return 1;
    }
});

var root = new RootCommand("ParkCharge: EV charging joined to car-park management.") { serve, DemoCommand.Create(), SimulateCommand.Create(), CheckSiteCommand.Create(), PriceCommand.Create(), Replay.Create(), Backup.CreateBackup(), Backup.CreateRestore(), ApiKeyCommand.Create() };
serve.TreatUnmatchedTokensAsErrors = false;
// Ctrl+C cancels the running command; give it time to stop cleanly (close chargers' connections, print a summary).
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(30) });
