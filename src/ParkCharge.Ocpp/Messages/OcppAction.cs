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
