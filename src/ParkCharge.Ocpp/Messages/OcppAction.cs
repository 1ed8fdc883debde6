using System.Text.Json.Serialization.Metadata;

using ParkCharge.Core.Charging;

namespace ParkCharge.Ocpp.Messages;

/// <summary>
/// An OCPP action (the name in a CALL) of one version, e.g. 2.0.1 <c>TransactionEvent</c>.
/// Catalogues: <see cref="V16.V16Actions"/>, <see cref="V201.V201Actions"/>.
/// </summary>
public abstract record OcppAction(string Name, OcppVersion Version)
{
    public sealed override string ToString() => Name;
}

/// <summary>
/// An action with the types of its request and response, so that callers never spell an action
/// name or pick a serializer by hand: <c>connection.CallAsync(V201Actions.RequestStartTransaction, request, ct)</c>.
/// </summary>
public sealed record OcppAction<TRequest, TResponse>(
    string Name, OcppVersion Version, JsonTypeInfo<TRequest> Request, JsonTypeInfo<TResponse> Response)
    : OcppAction(Name, Version);

/// <summary>
/// An OCPP 2.1 SEND action (OCPP-J message type 6): a message that is never answered, not even
/// with an error, and may travel while a CALL is outstanding. 2.1 has one, NotifyPeriodicEventStream.
/// </summary>
public sealed record OcppSendAction<TMessage>(string Name, OcppVersion Version, JsonTypeInfo<TMessage> Message)
    : OcppAction(Name, Version);

/// <summary>
/// Which typed messages a connection of one version can carry. OCPP 2.1 extends 2.0.1 (OCPP 2.1
/// Part 0): every 2.0.1 message is a 2.1 message with fewer fields and fewer enumeration values. So
/// ParkCharge reads and writes 2.x messages as 2.1's records on 2.0.1 connections too, and checks
/// each payload against the schema of the version actually spoken.
/// </summary>
public static class OcppMessageFamily
{
    /// <summary>True when a connection speaking <paramref name="connection"/> can carry messages typed for <paramref name="messages"/>.</summary>
    public static bool Carries(this OcppVersion connection, OcppVersion messages) =>
        connection == messages || (connection == OcppVersion.Ocpp201 && messages == OcppVersion.Ocpp21);
}
