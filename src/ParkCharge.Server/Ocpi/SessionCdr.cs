using System.Text.Json.Nodes;

using ParkCharge.Core.Billing;
using ParkCharge.Core.Charging;
using ParkCharge.Core.Engine;

namespace ParkCharge.Server.Ocpi;

/// <summary>
/// The OCPI 2.2.1 CDR of a finished charging session: its charging periods (<see cref="SessionPeriods"/>), the tariff
/// in force at its start, and the totals <see cref="CdrPricing"/> computes, the same that bill the stay it belongs to.
/// Location fields ParkCharge does not know (address, coordinates, connector standard) are left out.
/// </summary>
internal static class SessionCdr
{
    public sealed record Outcome(JsonObject? Cdr, int Status, string? Problem);

    public static Outcome Build(SiteState state, ChargingSession session, DateTimeOffset now)
    {
        if (state.Configuration is not { } config)
        {
            return new Outcome(null, StatusCodes.Status404NotFound, "The site is not configured.");
        }

        if (session.Status != ChargingSessionStatus.Completed || session.StoppedAt is not { } stop)
        {
            return new Outcome(null, StatusCodes.Status409Conflict, "The session is still running: a CDR describes a finished session; ask again when it has stopped.");
        }

        // The tariffs a settled stay was billed with, so the CDR and the bill agree; else the site's.
        var binding = state.Binding.Find(session.Id);
        var tariffs = binding is { IsBound: true, ParkingSessionId: { } stay } && state.Billing.Find(stay) is { } settled ? settled.Tariffs : config.Tariffs;
        var window = BillingRules.Window(session, binding?.Bay, binding?.PlugInAt);
        if (tariffs.ChargingAt(session.Charger, window.Start) is not { } tariff)
        {
            return new Outcome(null, StatusCodes.Status404NotFound, $"No charging tariff of site '{config.Id}' was in force for charger '{session.Charger}' when the session started.");
        }

        var zone = TimeZones.Find(config.TimeZone);
        var cdrSession = SessionPeriods.Of(window, tariffs, zone, stop);
        var versions = tariffs.Charging.Where(t => t.Chargers.Count == 0 || t.Chargers.Contains(session.Charger)).ToList();
        var priced = CdrPricing.Price(cdrSession, versions, tariff, zone);
        var used = versions.Where(t => t == tariff || cdrSession.Periods.Any(p => p.TariffId == t.Id)).ToList();

        var cdr = new JsonObject();
        if (tariff.CountryCode is { } country)
        {
            cdr["country_code"] = country;
        }

        if (tariff.PartyId is { } party)
        {
            cdr["party_id"] = party;
        }

        cdr["id"] = session.Id;
        cdr["start_date_time"] = OcpiJson.DateTime(cdrSession.Start);
        cdr["end_date_time"] = OcpiJson.DateTime(cdrSession.End);
        cdr["session_id"] = session.Id;
        cdr["cdr_token"] = Token(session.IdToken);
        cdr["auth_method"] = session.RemoteStartId is not null ? "COMMAND" : "WHITELIST";
        var connector = session.Connector.Connector.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var evse = $"{session.Charger.Value}*{session.Connector}";
        cdr["cdr_location"] = new JsonObject
        {
            ["id"] = config.Id.Value,
            ["name"] = config.Name,
            ["evse_uid"] = evse,
            ["evse_id"] = evse,
            ["connector_id"] = connector,
        };
        cdr["currency"] = config.Currency;
        cdr["tariffs"] = new JsonArray([.. used.Select(t => (JsonNode)OcpiJson.Tariff(t, config.Currency, now))]);
        cdr["charging_periods"] = new JsonArray([.. cdrSession.Periods.Select(p => (JsonNode)OcpiJson.Period(p))]);
        OcpiJson.Totals(cdr, priced, Currencies.MinorUnits(config.Currency));
        cdr["last_updated"] = OcpiJson.DateTime(session.LastEventAt ?? stop);
        return new Outcome(cdr, StatusCodes.Status200OK, null);
    }

    /// <summary>OCPI CdrToken from the OCPP id token: RFID cards as RFID, app and central tokens as APP_USER, the rest OTHER.</summary>
    private static JsonObject Token(IdToken? token)
    {
        var type = token?.Type switch
        {
            null or "ISO14443" or "ISO15693" => "RFID",
            "eMAID" or "Central" => "APP_USER",
            "NoAuthorization" => "AD_HOC_USER",
            _ => "OTHER",
        };
        var uid = token?.Value is { Length: > 0 } value ? value : "unknown";
        return new JsonObject { ["uid"] = uid, ["type"] = token is null ? "OTHER" : type, ["contract_id"] = uid };
    }
}
