using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;

using ParkCharge.Core.Charging;
using ParkCharge.Core.Commands;
using ParkCharge.Core.Observations;
using ParkCharge.Core.Sites;
using ParkCharge.Ocpp.CentralSystem;
using ParkCharge.Ocpp.Rpc;

namespace ParkCharge.Server.Proxy;

/// <summary>
/// Proxy mode for one connected charger (DESIGN.md §6): its upstream links, opened when the charger connects
/// and closed when it goes. The charger's CALLs go to the primary and its answer back unchanged, after the
/// engine observed them as a direct charger's; observers get copies. The backends' CALLs reach the charger
/// through its one connection, queued with ParkCharge's own commands (one outstanding CALL per direction).
/// </summary>
internal sealed class ChargerProxy : IAsyncDisposable
{
    private readonly ProxyServices _services;
    private readonly List<UpstreamLink> _links = [];
    private RpcConnection? _charger;

    public ChargerProxy(ProxyServices services, ChargerId charger, SiteId site, OcppVersion version, IReadOnlyList<ChargerUpstream> upstreams)
    {
        _services = services;
        Charger = charger;
        Site = site;
        Version = version;
        foreach (var upstream in upstreams)
        {
            _links.Add(new UpstreamLink(services, charger, version, upstream, new BackendCalls(this, upstream)));
        }

        Primary = _links.FirstOrDefault(l => l.Upstream.Role == UpstreamRole.Primary);
    }

    public ChargerId Charger { get; }

    public SiteId Site { get; }

    public OcppVersion Version { get; }

    public UpstreamLink? Primary { get; }

    public IReadOnlyList<UpstreamLink> Links => _links;

    /// <summary>The handler for the charger's CALLs: through the upstreams, observed by the engine as <paramref name="direct"/> would.</summary>
    public IRpcCallHandler ChargerCalls(ChargerCallHandler direct) => new ChargerCallsThroughProxy(this, direct);

    /// <summary>Opens the upstream connections once the charger's own connection exists.</summary>
    public async Task StartAsync(RpcConnection charger, CancellationToken ct)
    {
        _charger = charger;
        foreach (var link in _links)
        {
            await link.StartAsync(ct);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _charger = null;
        await Task.WhenAll(_links.Select(l => l.DisposeAsync().AsTask()));
    }

    /// <summary>Records a refused backend command in the charger's site log, which publishes it as an event.</summary>
    private async Task RecordRefusalAsync(string upstream, string action, string answer, string reason)
    {
        var now = _services.Time.GetUtcNow();
        try
        {
            await _services.Engines.SubmitAsync(new Observation
            {
                Site = Site,
                Source = $"proxy:{Charger.Value}",
                Key = $"proxy:{Charger.Value}:{upstream}:refused:{Guid.NewGuid():N}",
                EventTime = now,
                ReceivedAt = now,
                Payload = new UpstreamCommandRefused(Charger, upstream, action, answer, reason),
            });
        }
        catch (Exception e) when (e is Sites.SiteBusyException or OperationCanceledException)
        {
            ProxyLog.NotRecorded(_services.Logger, Charger.Value, action, upstream, e);
        }
    }

    /// <summary>The charger's CALLs, through the primary (and copied to the observers).</summary>
    private sealed class ChargerCallsThroughProxy(ChargerProxy proxy, ChargerCallHandler direct) : IRpcCallHandler
    {
        public async ValueTask<RpcReply> HandleAsync(RpcInboundCall call, CancellationToken cancellationToken)
        {
            foreach (var observer in proxy._links.Where(l => l.Upstream.Role == UpstreamRole.Observer))
            {
                observer.Copy(call.Action, call.Payload);
            }

            if (proxy.Primary is not { } primary)
            {
                return await direct.HandleAsync(call, cancellationToken);
            }

            if (!primary.HasBacklog)
            {
                var outcome = await primary.ForwardAsync(call.Action, primary.TransactionIds.ToBackend(call.Payload), cancellationToken);
                switch (outcome.Status)
                {
                    case RpcCallStatus.Completed:
                        await RecordAsync(primary, call, outcome.Response);
                        await LearnAsync(primary, call, outcome.Response);
                        return RpcReply.Result(outcome.Response);
                    case RpcCallStatus.Rejected:
                        // The backend refused it: the charger learns so, unchanged, and will send it again if it must.
                        return RpcReply.Error(outcome.Rejection!);
                    case RpcCallStatus.InvalidResponse:
                        // An answer that breaks the action's schema is not passed on (a strict charger would fail on it):
                        // it is answered as if the backend were late, and the backend gets the message again from the queue.
                        ProxyLog.InvalidAnswer(proxy._services.Logger, proxy.Charger.Value, primary.Upstream.Name, call.Action);
                        break;
                    default:
                        ProxyLog.AnsweredLocally(proxy._services.Logger, proxy.Charger.Value, primary.Upstream.Name, call.Action, outcome.Status);
                        break;
                }
            }

            return await AnswerLocallyAsync(primary, call, cancellationToken);
        }

        /// <summary>
        /// The backend is away, too slow, or still has older messages to receive: ParkCharge answers as the central
        /// system (as for a direct charger: boot accepted, authorization by its own rules, a 1.6 transaction id of
        /// its own), and keeps the message durably for the backend before the charger gets the answer. A message
        /// ParkCharge itself refuses (not accepted) is not kept: the charger sends it again. Heartbeats are not
        /// kept: the backend learns the charger is alive when it is connected again.
        /// </summary>
        private async Task<RpcReply> AnswerLocallyAsync(UpstreamLink primary, RpcInboundCall call, CancellationToken cancellationToken)
        {
            var (reply, decision) = await direct.AnswerAsync(call, cancellationToken);
            if (!reply.IsError && primary.Upstream.OfflineAuthorization == OfflineAuthorization.Learnt && TokenOf(call) is { } token
                && !await proxy._services.Store.UpstreamQueue.TokenAcceptedAsync(primary.Upstream.Url.ToString(), token, cancellationToken))
            {
                reply = NotAuthorized(call, decision);
            }

            if (!reply.IsError && call.Action != "Heartbeat")
            {
                await primary.EnqueueAsync(call.Action, call.Payload, (decision as Core.Engine.TransactionStartReply)?.TransactionId);
            }

            return reply;
        }

        /// <summary>Notes the backend's verdict on an id token, for the <see cref="OfflineAuthorization.Learnt"/> policy.</summary>
        private async Task LearnAsync(UpstreamLink primary, RpcInboundCall call, JsonElement answer)
        {
            if (TokenOf(call) is not { } token || answer.ValueKind != JsonValueKind.Object)
            {
                return;
            }

            foreach (var info in (string[])["idTagInfo", "idTokenInfo"])
            {
                if (answer.TryGetProperty(info, out var element) && element.ValueKind == JsonValueKind.Object
                    && element.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.String)
                {
                    await proxy._services.Store.UpstreamQueue.LearnTokenAsync(primary.Upstream.Url.ToString(), token, status.GetString() == "Accepted", proxy._services.Time.GetUtcNow(), CancellationToken.None);
                    return;
                }
            }
        }

        /// <summary>The id token a charger message presents: 1.6 Authorize/StartTransaction's idTag, 2.0.1 Authorize/TransactionEvent's idToken.</summary>
        private static string? TokenOf(RpcInboundCall call)
        {
            var payload = call.Payload;
            if (call.Action is "Authorize" or "StartTransaction" && payload.TryGetProperty("idTag", out var tag) && tag.ValueKind == JsonValueKind.String)
            {
                return tag.GetString();
            }

            return call.Action is "Authorize" or "TransactionEvent" && payload.TryGetProperty("idToken", out var token) && token.ValueKind == JsonValueKind.Object
                && token.TryGetProperty("idToken", out var value) && value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : null;
        }

        /// <summary>The answer for a token the backend never accepted, under the <see cref="OfflineAuthorization.Learnt"/> policy: Invalid.</summary>
        private static RpcReply NotAuthorized(RpcInboundCall call, Core.Engine.Reply? decision)
        {
            var invalid = new JsonObject { ["status"] = "Invalid" };
            var answer = call.Action switch
            {
                "StartTransaction" => new JsonObject { ["transactionId"] = (decision as Core.Engine.TransactionStartReply)?.TransactionId ?? 0, ["idTagInfo"] = invalid },
                "Authorize" when call.Version == OcppVersion.Ocpp16 => new JsonObject { ["idTagInfo"] = invalid },
                _ => new JsonObject { ["idTokenInfo"] = invalid },
            };
            using var document = JsonDocument.Parse(answer.ToJsonString());
            return RpcReply.Result(document.RootElement);
        }

        private async Task RecordAsync(UpstreamLink primary, RpcInboundCall call, JsonElement answer)
        {
            try
            {
                await direct.RecordAsync(call, answer);
            }
            catch (RpcCallRefusedException refused)
            {
                // The site is too busy to take it now: the backend has it and the charger its answer; the log misses it.
                ProxyLog.NotRecorded(proxy._services.Logger, proxy.Charger.Value, call.Action, primary.Upstream.Name, refused);
            }
        }
    }

    /// <summary>One upstream's CALLs to the charger: checked against its ACL, then passed through and the answer back.</summary>
    private sealed class BackendCalls(ChargerProxy proxy, ChargerUpstream upstream) : IRpcCallHandler
    {
        public async ValueTask<RpcReply> HandleAsync(RpcInboundCall call, CancellationToken cancellationToken)
        {
            if (!upstream.Allows(call.Action))
            {
                // SecurityError, not NotSupported: the charger may well support the action; this backend is not
                // allowed to send it (OCPP-J: SecurityError "a security issue occurred preventing receiver from
                // completing the Action"; NotSupported would say the action itself is unknown to the charger).
                var reason = upstream.Role == UpstreamRole.Observer
                    ? $"Upstream '{upstream.Name}' is an observer: it may send the charger nothing."
                    : $"Upstream '{upstream.Name}' may not send {call.Action} to this charger.";
                ProxyLog.ActionRefused(proxy._services.Logger, proxy.Charger.Value, upstream.Name, upstream.Role, call.Action, "SecurityError");
                await proxy.RecordRefusalAsync(upstream.Name, call.Action, "SecurityError", reason);
                return RpcReply.Error(RpcErrorCode.SecurityError, reason);
            }

            if (ChargingProfileConflict.Find(call.Action, call.Payload, call.Version) is { } conflict)
            {
                ProxyLog.ProfileConflict(proxy._services.Logger, proxy.Charger.Value, upstream.Name, conflict.ProfileId, conflict.StackLevel, conflict.Purpose);
                await proxy.RecordRefusalAsync(upstream.Name, call.Action, "Rejected", conflict.Reason);
                return ChargingProfileConflict.Rejected(call.Version, conflict);
            }

            if (proxy._charger is not { } charger)
            {
                return RpcReply.Error(RpcErrorCode.GenericError, "The charger is not connected.");
            }

            // The backend names 1.6 transactions by its ids; one ParkCharge started while it was away has the charger's id.
            var payload = proxy.Primary is { } primary ? primary.TransactionIds.ToCharger(call.Payload) : call.Payload;
            var outcome = await charger.ForwardAsync(call.Action, payload, cancellationToken: cancellationToken);
            return outcome.Status switch
            {
                RpcCallStatus.Completed => RpcReply.Result(outcome.Response),
                RpcCallStatus.Rejected => RpcReply.Error(outcome.Rejection!),
                RpcCallStatus.TimedOut => RpcReply.Error(RpcErrorCode.GenericError, "The charger did not answer in time."),
                _ => RpcReply.Error(RpcErrorCode.GenericError, "The charger disconnected before it answered."),
            };
        }
    }
}

/// <summary>
/// Charging profiles are shared ground: ParkCharge sets its own (site power limit, autocharge, stop at permit
/// end) with ids 9000–9999 and stack level <see cref="ChargingProfiles.StackLevel"/>. OCPP replaces a profile
/// with the same id, or the same purpose and stack level (1.6 §3.13.2, 2.0.1 K01.FR.05), so a backend's
/// profile that matches either would silently overwrite ParkCharge's. Such a profile is answered Rejected, as
/// a charger answers a profile it cannot take, and the conflict is logged and published; any other profile
/// passes unchanged and both hold (the charger applies the lowest of the purposes' limits).
/// </summary>
internal static class ChargingProfileConflict
{
    public const int FirstReservedId = 9000, LastReservedId = 9999;

    /// <summary>The purposes ParkCharge sets profiles for, by their names in each version.</summary>
    private static readonly HashSet<string> OwnPurposes = new(StringComparer.Ordinal)
    {
        "ChargePointMaxProfile", "ChargingStationMaxProfile", "TxDefaultProfile", "TxProfile",
    };

    public sealed record Conflict(int ProfileId, int StackLevel, string Purpose, string Reason);

    public static Conflict? Find(string action, JsonElement payload, OcppVersion version)
    {
        if (action != "SetChargingProfile" || payload.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var profileName = version == OcppVersion.Ocpp16 ? "csChargingProfiles" : "chargingProfile";
        var idName = version == OcppVersion.Ocpp16 ? "chargingProfileId" : "id";
        if (!payload.TryGetProperty(profileName, out var profile) || profile.ValueKind != JsonValueKind.Object
            || !profile.TryGetProperty(idName, out var idElement) || !idElement.TryGetInt32(out var id)
            || !profile.TryGetProperty("stackLevel", out var levelElement) || !levelElement.TryGetInt32(out var level)
            || !profile.TryGetProperty("chargingProfilePurpose", out var purposeElement) || purposeElement.ValueKind != JsonValueKind.String)
        {
            return null; // the charger's schema check will say what is wrong with it
        }

        var purpose = purposeElement.GetString()!;
        if (id is >= FirstReservedId and <= LastReservedId)
        {
            return new Conflict(id, level, purpose, $"Charging profile ids {FirstReservedId}–{LastReservedId} are ParkCharge's own; profile {id} would replace one of them.");
        }

        if (level == ChargingProfiles.StackLevel && OwnPurposes.Contains(purpose))
        {
            return new Conflict(id, level, purpose, $"Stack level {level} of {purpose} is ParkCharge's own; a profile there would replace ParkCharge's limit. Use another stack level.");
        }

        return null;
    }

    /// <summary>SetChargingProfile's own refusal: status Rejected (2.0.1 and 2.1 with a reason code).</summary>
    public static RpcReply Rejected(OcppVersion version, Conflict conflict)
    {
        var answer = new JsonObject { ["status"] = "Rejected" };
        if (version != OcppVersion.Ocpp16)
        {
            answer["statusInfo"] = new JsonObject { ["reasonCode"] = "ReservedByProxy", ["additionalInfo"] = conflict.Reason.Length <= 512 ? conflict.Reason : conflict.Reason[..512] };
        }

        using var document = JsonDocument.Parse(answer.ToJsonString());
        return RpcReply.Result(document.RootElement);
    }
}

/// <summary>Connected chargers' proxies, for the API and the dashboard (upstream state, queue, last error).</summary>
internal sealed class ChargerProxies
{
    private readonly ConcurrentDictionary<ChargerId, ChargerProxy> _proxies = new();

    public void Add(ChargerProxy proxy) => _proxies[proxy.Charger] = proxy;

    public void Remove(ChargerProxy proxy) => _proxies.TryRemove(new KeyValuePair<ChargerId, ChargerProxy>(proxy.Charger, proxy));

    public ChargerProxy? Find(ChargerId charger) => _proxies.GetValueOrDefault(charger);
}
