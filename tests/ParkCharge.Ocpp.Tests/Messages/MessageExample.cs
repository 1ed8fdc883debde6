using System.Text.Json;

using ParkCharge.Ocpp.Messages;

namespace ParkCharge.Ocpp.Tests.Messages;

/// <summary>A hand-written typed request and response of one action, serialized with the action's own type infos.</summary>
public sealed class MessageExample
{
    private MessageExample(OcppAction action, Func<JsonElement> request, Func<JsonElement> response,
        Func<JsonElement, JsonElement> requestRoundTrip, Func<JsonElement, JsonElement> responseRoundTrip)
    {
        Action = action;
        SerializeRequest = request;
        SerializeResponse = response;
        RoundTripRequest = requestRoundTrip;
        RoundTripResponse = responseRoundTrip;
    }

    public OcppAction Action { get; }

    public Func<JsonElement> SerializeRequest { get; }

    public Func<JsonElement> SerializeResponse { get; }

    /// <summary>JSON to record to JSON, through the action's request type.</summary>
    public Func<JsonElement, JsonElement> RoundTripRequest { get; }

    public Func<JsonElement, JsonElement> RoundTripResponse { get; }

    public static MessageExample Of<TRequest, TResponse>(OcppAction<TRequest, TResponse> action, TRequest request, TResponse response) =>
        new(action,
            () => JsonSerializer.SerializeToElement(request, action.Request),
            () => JsonSerializer.SerializeToElement(response, action.Response),
            json => JsonSerializer.SerializeToElement(json.Deserialize(action.Request)!, action.Request),
            json => JsonSerializer.SerializeToElement(json.Deserialize(action.Response)!, action.Response));

    public override string ToString() => $"{Action.Version} {Action.Name}";
}
