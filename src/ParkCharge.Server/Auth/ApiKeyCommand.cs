using System.CommandLine;
using System.Globalization;

using Microsoft.Extensions.Logging.Abstractions;

using ParkCharge.Server.Hosting;
using ParkCharge.Storage;

namespace ParkCharge.Server.Auth;

/// <summary>
/// <c>parkcharge api-key create|list|revoke</c>: API keys managed on the node's own store (the SQLite
/// file in the data folder, or PostgreSQL), for the first operator key or when no admin key is at
/// hand. A running node sees a new key at once and a revocation within a minute.
/// </summary>
internal static class ApiKeyCommand
{
    public static Command Create()
    {
        var data = new Option<string?>("--data") { Description = "The data folder of the SQLite store (default: ParkCharge:DataDirectory, ./data)." };
        var postgres = new Option<string?>("--postgres") { Description = "A PostgreSQL connection string (also PARKCHARGE_POSTGRES)." };

        var name = new Option<string>("--name") { Description = "Who or what uses the key.", Required = true };
        var role = new Option<string>("--role") { Description = $"One of {string.Join(", ", ApiRoles.All)}.", Required = true };
        var allow = new Option<string[]>("--allow") { Description = "An address or CIDR range the key may be used from; repeat for several (default: any).", AllowMultipleArgumentsPerToken = false };
        var expires = new Option<DateTimeOffset?>("--expires") { Description = "When the key stops working (ISO 8601, e.g. 2027-01-01T00:00:00Z)." };
        var create = new Command("create", "Create an API key and print it (once: only its hash is stored).") { name, role, allow, expires, data, postgres };
        create.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var request = new NewApiKey(parse.GetValue(name)!, parse.GetValue(role)!, parse.GetValue(allow) is { Length: > 0 } a ? a : null, parse.GetValue(expires));
            var now = DateTimeOffset.UtcNow;
            var errors = ApiKeyIssuer.Validate(request, now);
            if (errors.Count > 0)
            {
                foreach (var (field, messages) in errors)
                {
                    await parse.InvocationConfiguration.Error.WriteLineAsync($"--{(field == "allowedAddresses" ? "allow" : field == "expiresAt" ? "expires" : field)}: {string.Join(" ", messages)}");
                }

                return 1;
            }

            await using var store = await OpenStoreAsync(parse.GetValue(data), parse.GetValue(postgres), ct);
            var issued = await ApiKeyIssuer.CreateAsync(store, await KeyHasher.ForStoreAsync(store, ct), request, "command line", now, ct);
            await output.WriteLineAsync($"Created {issued.Record.Id} '{issued.Record.Name}' (role {issued.Record.Role}). The key, shown once:");
            await output.WriteLineAsync(issued.Key);
            return 0;
        });

        var list = new Command("list", "List API keys (never the keys themselves).") { data, postgres };
        list.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            await using var store = await OpenStoreAsync(parse.GetValue(data), parse.GetValue(postgres), ct);
            var now = DateTimeOffset.UtcNow;
            foreach (var key in await store.ApiKeys.ListAsync(ct))
            {
                var state = key.RevokedAt is { } r ? $"revoked {Format(r)}" : key.IsActive(now) ? "active" : $"expired {Format(key.ExpiresAt!.Value)}";
                var from = key.AllowedAddresses.Count == 0 ? "any address" : string.Join(",", key.AllowedAddresses);
                await output.WriteLineAsync($"{key.Id}  {key.Role,-10}  {state,-30}  {from}  '{key.Name}'");
            }

            return 0;
        });

        var id = new Argument<string>("ID") { Description = "The key's id (key_...), as listed." };
        var revoke = new Command("revoke", "Revoke an API key (a running node stops accepting it within a minute).") { id, data, postgres };
        revoke.SetAction(async (parse, ct) =>
        {
            await using var store = await OpenStoreAsync(parse.GetValue(data), parse.GetValue(postgres), ct);
            var keyId = parse.GetValue(id)!;
            if (await store.ApiKeys.GetAsync(keyId, ct) is null)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"No API key '{keyId}'.");
                return 1;
            }

            var revoked = await store.ApiKeys.RevokeAsync(keyId, DateTimeOffset.UtcNow, ct);
            await parse.InvocationConfiguration.Output.WriteLineAsync(revoked ? $"Revoked {keyId}." : $"{keyId} was already revoked.");
            return 0;
        });

        return new Command("api-key", "Create, list and revoke API keys on this node's store.") { create, list, revoke };
    }

    /// <summary>The store the node would use: the same settings (appsettings.json, environment, options).</summary>
    private static async Task<Store> OpenStoreAsync(string? data, string? postgres, CancellationToken ct)
    {
        var settings = new Dictionary<string, string?>();
        if (data is not null)
        {
            settings["ParkCharge:DataDirectory"] = data;
        }

        if (postgres is not null)
        {
            settings["ParkCharge:Postgres"] = postgres;
        }

        var options = ParkChargeApp.Configuration(settings).GetSection(ParkChargeOptions.Section).Get<ParkChargeOptions>() ?? new ParkChargeOptions();
        return await Store.OpenAsync(new StoreOptions { DataDirectory = options.DataDirectory, PostgresConnectionString = options.Postgres }, NullLoggerFactory.Instance, ct);
    }

    private static string Format(DateTimeOffset at) => at.ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture);
}
