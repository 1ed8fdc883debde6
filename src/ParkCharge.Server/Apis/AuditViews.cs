using ParkCharge.Storage.Audit;

namespace ParkCharge.Server.Apis;

// The API audit log as the API shows it. The store returns its own records (ParkCharge.Storage); these are the API's answers, mapped from them.

/// <summary>
/// One state-changing API call: who (the key), when, what (method and path), the answer's status,
/// from where, and the client's <c>Idempotency-Key</c>. Never the body: it may carry secrets.
/// </summary>
public sealed record ApiAuditEntry
{
    /// <summary>The row's number; 0 for an entry not yet stored.</summary>
    public long Id { get; init; }

    public required DateTimeOffset At { get; init; }

    public string? KeyId { get; init; }

    public string? KeyName { get; init; }

    public string? Role { get; init; }

    public required string Method { get; init; }

    public required string Path { get; init; }

    public required int Status { get; init; }

    public string? ClientIp { get; init; }

    public string? IdempotencyKey { get; init; }

    /// <summary>The API's view of what the store read.</summary>
    internal static ApiAuditEntry From(ApiAuditRecord r) => new()
    {
        Id = r.Id,
        At = r.At,
        KeyId = r.KeyId,
        KeyName = r.KeyName,
        Role = r.Role,
        Method = r.Method,
        Path = r.Path,
        Status = r.Status,
        ClientIp = r.ClientIp,
        IdempotencyKey = r.IdempotencyKey,
    };
}
