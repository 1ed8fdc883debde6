using System.Text.Json;

using ParkCharge.Core.Engine;
using ParkCharge.Core.Observations;
using ParkCharge.Ocpp.Rpc;

namespace ParkCharge.Ocpp.CentralSystem;

/// <summary>
/// A charger's CALL read as what it says to the site engine (<see cref="Payload"/> at
/// <see cref="EventTime"/>, the charger's own time where the message has one), and how to answer it
/// once the engine's reply is durable.
/// </summary>
public sealed record InboundMessage(ObservationPayload Payload, DateTimeOffset EventTime, Func<Reply, RpcReply> Answer)
{
    /// <summary>The answer to notifications whose response schema is an empty object.</summary>
    public static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();
}
