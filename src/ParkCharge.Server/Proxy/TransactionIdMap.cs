using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ParkCharge.Server.Proxy;

/// <summary>
/// OCPP 1.6 transaction ids both ways for one charger and its primary backend: the ids ParkCharge issued
/// while the backend was away, and the backend's for the same transactions once their StartTransaction
/// reached it. Messages to the backend carry its ids; its commands reach the charger with the charger's.
/// OCPP 2.0.1 needs none: the charging station names its transactions itself.
/// </summary>
internal sealed class TransactionIdMap
{
    private readonly ConcurrentDictionary<int, int> _toBackend = new();
    private readonly ConcurrentDictionary<int, int> _toCharger = new();

    public void Add(int local, int backend)
    {
        _toBackend[local] = backend;
        _toCharger[backend] = local;
    }

    public bool IsEmpty => _toBackend.IsEmpty;

    /// <summary>The payload as the backend must see it (the charger's local ids replaced by the backend's).</summary>
    public JsonElement ToBackend(JsonElement payload) => IsEmpty ? payload : Rewrite(payload, _toBackend);

    /// <summary>The payload as the charger must see it (the backend's ids replaced by the charger's).</summary>
    public JsonElement ToCharger(JsonElement payload) => IsEmpty ? payload : Rewrite(payload, _toCharger);

    /// <summary>Where 1.6 names a transaction: <c>transactionId</c> (StopTransaction, MeterValues, RemoteStopTransaction) and a charging profile's.</summary>
    private static JsonElement Rewrite(JsonElement payload, ConcurrentDictionary<int, int> map)
    {
        if (payload.ValueKind != JsonValueKind.Object
            || !(payload.TryGetProperty("transactionId", out _) || payload.TryGetProperty("csChargingProfiles", out _)))
        {
            return payload;
        }

        var node = JsonNode.Parse(payload.GetRawText())!.AsObject();
        var changed = Replace(node, map);
        if (node["csChargingProfiles"] is JsonObject profile)
        {
            changed |= Replace(profile, map);
        }

        if (!changed)
        {
            return payload;
        }

        using var document = JsonDocument.Parse(node.ToJsonString());
        return document.RootElement.Clone();
    }

    private static bool Replace(JsonObject node, ConcurrentDictionary<int, int> map)
    {
        if (node["transactionId"] is JsonValue value && value.TryGetValue<int>(out var id) && map.TryGetValue(id, out var mapped))
        {
            node["transactionId"] = mapped;
            return true;
        }

        return false;
    }
}
