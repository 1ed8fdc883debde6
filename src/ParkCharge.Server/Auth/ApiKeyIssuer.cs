using System.ComponentModel.DataAnnotations;

using ParkCharge.Storage;
using ParkCharge.Storage.ApiKeys;

namespace ParkCharge.Server.Auth;

/// <summary>What a new API key should be: a name for people, a role, optionally where it may be used from and until when.</summary>
public sealed record NewApiKey([property: MaxLength(100)] string Name, [property: MaxLength(20)] string Role, [property: MaxLength(100)] IReadOnlyList<string>? AllowedAddresses = null, DateTimeOffset? ExpiresAt = null);

/// <summary>A key just created: the record as stored and the key itself, which is shown this once and never again.</summary>
public sealed record IssuedApiKey(ApiKeyRecord Record, string Key);

/// <summary>Creates API keys, for the API (<c>POST /api/v1/api-keys</c>) and the command line (<c>parkcharge api-key create</c>) alike.</summary>
public static class ApiKeyIssuer
{
    public const int MaxNameLength = 100;

    /// <summary>Every problem with the request, by field (camelCase, as in the API).</summary>
    public static Dictionary<string, string[]> Validate(NewApiKey request, DateTimeOffset now)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > MaxNameLength || request.Name.Any(char.IsControl))
        {
            errors["name"] = [$"A name for people, 1 to {MaxNameLength} characters: who or what uses the key."];
        }

        if (!ApiRoles.IsValid(request.Role))
        {
            errors["role"] = [$"'{request.Role}' is not a role; one of {string.Join(", ", ApiRoles.All)}."];
        }

        if (request.AllowedAddresses is { } addresses)
        {
            AddressAllowList.Parse(addresses, out var problems);
            if (problems.Count > 0)
            {
                errors["allowedAddresses"] = [.. problems];
            }
        }

        if (request.ExpiresAt is { } expires && expires <= now)
        {
            errors["expiresAt"] = ["The expiry must be in the future."];
        }

        return errors;
    }

    /// <summary>Creates a valid key (call <see cref="Validate"/> first).</summary>
    public static async Task<IssuedApiKey> CreateAsync(Store store, KeyHasher hasher, NewApiKey request, string createdBy, DateTimeOffset now, CancellationToken ct)
    {
        var key = Secrets.NewApiKey();
        var hash = hasher.Hash(key);
        var record = new ApiKeyRecord(IdFor(hash), request.Name.Trim(), request.Role, hash, now, null)
        {
            AllowedAddresses = AddressAllowList.Parse(request.AllowedAddresses ?? [], out _).Entries,
            ExpiresAt = request.ExpiresAt?.ToUniversalTime(),
            CreatedBy = createdBy,
        };
        await store.ApiKeys.CreateAsync(record, ct);
        return new IssuedApiKey(record, key);
    }

    /// <summary>
    /// A key's id: from its hash, so the same key always has the same id (a configured key on every node of a
    /// store). Ids are shown to other keys (in audit entries, as who recorded a payment), which is why the hash
    /// is keyed (<see cref="KeyHasher"/>): a plain hash's first digits would let a guessed key be checked.
    /// </summary>
    public static string IdFor(string keyHash) => $"key_{KeyHasher.Digits(keyHash)[..12]}";
}
