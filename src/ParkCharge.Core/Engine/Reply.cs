using System.Text.Json.Serialization;

using ParkCharge.Core.Charging;

namespace ParkCharge.Core.Engine;

/// <summary>
/// What the source of an observation is told once the observation is durable. Stored with the
/// observation, so that a repeat gets exactly the first answer.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(Acknowledged), "ack")]
[JsonDerivedType(typeof(Refused), "refused")]
[JsonDerivedType(typeof(AuthorizationReply), "authorization")]
[JsonDerivedType(typeof(TransactionStartReply), "transaction_start")]
[JsonDerivedType(typeof(DataTransferReply), "data_transfer")]
[JsonDerivedType(typeof(PaymentAccepted), "payment")]
[JsonDerivedType(typeof(CommandQueued), "command")]
[JsonDerivedType(typeof(TransactionCostReply), "transaction_cost")]
public abstract record Reply;

/// <summary>Accepted with nothing more to say (Heartbeat-like answers, StatusNotification, MeterValues, ...).</summary>
public sealed record Acknowledged : Reply
{
    public static readonly Acknowledged Instance = new();
}

/// <summary>The engine would not take the observation (e.g. a message from a charger that is not registered).</summary>
public sealed record Refused(string Reason) : Reply;

/// <summary>The verdict on an id token (Authorize; the idTagInfo of Start/StopTransaction; 2.0.1 idTokenInfo).</summary>
public sealed record AuthorizationReply(AuthorizationStatus Status) : Reply;

/// <summary>The answer to a 1.6 StartTransaction: the transaction id ParkCharge assigned.</summary>
public sealed record TransactionStartReply(int TransactionId, AuthorizationStatus Status) : Reply;

/// <summary>The answer to a DataTransfer ParkCharge does not interpret.</summary>
public sealed record DataTransferReply(DataTransferStatus Status) : Reply;

/// <summary>OCPP DataTransferStatus, the same in 1.6 and 2.0.1.</summary>
public enum DataTransferStatus
{
    Accepted,
    Rejected,
    UnknownMessageId,
    UnknownVendorId,
}

/// <summary>A payment was recorded: its id, and what is still due on the stay (negative: paid too much).</summary>
public sealed record PaymentAccepted(string PaymentId, decimal BalanceDue) : Reply;

/// <summary>A command was recorded: its id (it is sent to the charger in the background; its outcome comes later).</summary>
public sealed record CommandQueued(string CommandId) : Reply;

/// <summary>
/// The answer to a charger's last TransactionEvent of a transaction, with the transaction's cost from the bill (its
/// charging part, including VAT): OCPP 2.0.1/2.1 TransactionEventResponse.totalCost, for chargers ParkCharge tells the
/// cost (<see cref="Sites.ChargerCostMode.Central"/>).
/// </summary>
public sealed record TransactionCostReply(Reply Answer, decimal TotalCost) : Reply;
