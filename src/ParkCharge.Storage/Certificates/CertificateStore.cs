using System.Data.Common;

namespace ParkCharge.Storage.Certificates;

/// <summary>A site's charger CA as stored: its certificate (PEM) and its private key, encrypted by the caller.</summary>
public sealed record StoredCertificateAuthority(string SiteId, string CertificatePem, string ProtectedKey, DateTimeOffset CreatedAt);

/// <summary>A charger certificate ParkCharge issued, or saw a charger present at a TLS handshake.</summary>
/// <param name="Thumbprint">SHA-256 of the certificate's DER bytes, hex: the key.</param>
/// <param name="IssuedAt">When ParkCharge signed it; null for a certificate it did not issue.</param>
/// <param name="Delivery">The charger's answer to CertificateSigned (Accepted, Rejected) or why it did not arrive; null while none came.</param>
/// <param name="FirstPresentedAt">When a charger first connected with it; null while none did.</param>
public sealed record ChargerCertificateView(
    string Thumbprint,
    string ChargerId,
    string SiteId,
    string SerialNumber,
    string Subject,
    string Issuer,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    string CertificatePem,
    DateTimeOffset? IssuedAt = null,
    string? Delivery = null,
    DateTimeOffset? DeliveredAt = null,
    DateTimeOffset? FirstPresentedAt = null,
    DateTimeOffset? LastPresentedAt = null);

/// <summary>
/// Security profile 3's state: the CA ParkCharge holds per site (when the operator brings none) and the
/// charger certificates it issued or was shown. Not site data: it lives beside the log, like API keys.
/// </summary>
public sealed class CertificateStore(Database database)
{
    private const string Columns = """
        thumbprint, charger_id, site_id, serial_number, subject, issuer, not_before, not_after, certificate,
        issued_at, delivery, delivered_at, first_presented_at, last_presented_at
        """;

    public async Task<StoredCertificateAuthority?> FindAuthorityAsync(string siteId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command("SELECT site_id, certificate, protected_key, created_at FROM charger_cas WHERE site_id = @site")
            .With("site", siteId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? new StoredCertificateAuthority(reader.GetString(0), reader.GetString(1), reader.GetString(2), database.ReadInstant(reader, 3))
            : null;
    }

    /// <summary>Stores a new CA for the site, unless another node stored one first: the CA the site ends up with is returned.</summary>
    public async Task<StoredCertificateAuthority> AddAuthorityAsync(StoredCertificateAuthority authority, CancellationToken ct)
    {
        await using (var connection = await database.OpenAsync(ct))
        await using (var command = connection.Command("""
            INSERT INTO charger_cas (site_id, certificate, protected_key, created_at) VALUES (@site, @certificate, @key, @created_at)
            ON CONFLICT (site_id) DO NOTHING
            """))
        {
            command.With("site", authority.SiteId).With("certificate", authority.CertificatePem).With("key", authority.ProtectedKey)
                .With("created_at", database.Instant(authority.CreatedAt));
            await command.ExecuteNonQueryAsync(ct);
        }

        return (await FindAuthorityAsync(authority.SiteId, ct))!;
    }

    /// <summary>Records a certificate ParkCharge signed for a charger.</summary>
    public async Task RecordIssuedAsync(ChargerCertificateView certificate, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command($"""
            INSERT INTO charger_certificates ({Columns})
            VALUES (@thumbprint, @charger, @site, @serial, @subject, @issuer, @not_before, @not_after, @certificate,
                @issued_at, NULL, NULL, NULL, NULL)
            ON CONFLICT (thumbprint) DO UPDATE SET issued_at = excluded.issued_at
            """);
        Bind(command, certificate).With("issued_at", database.Instant(certificate.IssuedAt));
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Records how delivering an issued certificate ended (the charger's answer to CertificateSigned).</summary>
    public async Task RecordDeliveryAsync(string thumbprint, string delivery, DateTimeOffset at, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command("UPDATE charger_certificates SET delivery = @delivery, delivered_at = @at WHERE thumbprint = @thumbprint")
            .With("thumbprint", thumbprint).With("delivery", delivery).With("at", database.Instant(at));
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Records that a charger connected with the certificate (the first time, or once more).</summary>
    public async Task RecordPresentedAsync(ChargerCertificateView certificate, DateTimeOffset at, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command($"""
            INSERT INTO charger_certificates ({Columns})
            VALUES (@thumbprint, @charger, @site, @serial, @subject, @issuer, @not_before, @not_after, @certificate,
                NULL, NULL, NULL, @at, @at)
            ON CONFLICT (thumbprint) DO UPDATE SET
                first_presented_at = COALESCE(charger_certificates.first_presented_at, excluded.first_presented_at),
                last_presented_at = excluded.last_presented_at
            """);
        Bind(command, certificate).With("at", database.Instant(at));
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>A charger's certificates, the one that expires last first.</summary>
    public async Task<IReadOnlyList<ChargerCertificateView>> ForChargerAsync(string chargerId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command($"SELECT {Columns} FROM charger_certificates WHERE charger_id = @charger ORDER BY not_after DESC, thumbprint")
            .With("charger", chargerId);
        var certificates = new List<ChargerCertificateView>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            certificates.Add(Read(reader));
        }

        return certificates;
    }

    private DbCommand Bind(DbCommand command, ChargerCertificateView c) =>
        command.With("thumbprint", c.Thumbprint).With("charger", c.ChargerId).With("site", c.SiteId).With("serial", c.SerialNumber)
            .With("subject", c.Subject).With("issuer", c.Issuer).With("not_before", database.Instant(c.NotBefore))
            .With("not_after", database.Instant(c.NotAfter)).With("certificate", c.CertificatePem);

    private ChargerCertificateView Read(DbDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5),
        database.ReadInstant(r, 6), database.ReadInstant(r, 7), r.GetString(8),
        database.ReadInstantOrNull(r, 9), r.StringOrNull(10), database.ReadInstantOrNull(r, 11),
        database.ReadInstantOrNull(r, 12), database.ReadInstantOrNull(r, 13));
}
