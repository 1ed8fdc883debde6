using System.Text.Json;

using ParkCharge.Ocpp.Messages;

namespace ParkCharge.Ocpp.Tests.Messages;

/// <summary>
/// A hand-written typed request and response of one action (or the one message of a 2.1 SEND),
/// serialized with the action's own type infos.
/// </summary>
public sealed class MessageExample
{
    private MessageExample(OcppAction action, IReadOnlyList<Payload> payloads)
    {
        Action = action;
        Payloads = payloads;
    }

    public OcppAction Action { get; }

    /// <summary>The request and response (a SEND has only its message), each with its schema id.</summary>
    public IReadOnlyList<Payload> Payloads { get; }

    public static MessageExample Of<TRequest, TResponse>(OcppAction<TRequest, TResponse> action, TRequest request, TResponse response) =>
        new(action,
        [
            new Payload(Validation.OfficialSchemas.SchemaId(action.Version, action.Name, request: true),
                () => JsonSerializer.SerializeToElement(request, action.Request),
                json => JsonSerializer.SerializeToElement(json.Deserialize(action.Request)!, action.Request)),
            new Payload(Validation.OfficialSchemas.SchemaId(action.Version, action.Name, request: false),
                () => JsonSerializer.SerializeToElement(response, action.Response),
                json => JsonSerializer.SerializeToElement(json.Deserialize(action.Response)!, action.Response)),
        ]);

    public static MessageExample Of<TMessage>(OcppSendAction<TMessage> action, TMessage message) =>
        new(action,
        [
            new Payload($"urn:{action.Name}",
                () => JsonSerializer.SerializeToElement(message, action.Message),
                json => JsonSerializer.SerializeToElement(json.Deserialize(action.Message)!, action.Message)),
        ]);

    public override string ToString() => $"{Action.Version} {Action.Name}";

    /// <param name="SchemaId">The official schema the payload must satisfy.</param>
    /// <param name="Serialize">The example as JSON.</param>
    /// <param name="RoundTrip">JSON to record to JSON, through the payload's type.</param>
    public sealed record Payload(string SchemaId, Func<JsonElement> Serialize, Func<JsonElement, JsonElement> RoundTrip);
}
