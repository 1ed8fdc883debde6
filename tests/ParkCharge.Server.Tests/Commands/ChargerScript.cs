using System.Text.Json;
using System.Threading.Channels;

using ParkCharge.Core.Charging;
using ParkCharge.Ocpp.Rpc;

namespace ParkCharge.Server.Tests.Commands;

/// <summary>A CALL the server made to a test charger: its action and payload.</summary>
internal sealed record ReceivedCall(string Action, JsonElement Payload)
{
    public string Text(string property) => Payload.GetProperty(property).ValueKind == JsonValueKind.Number
        ? Payload.GetProperty(property).GetRawText()
        : Payload.GetProperty(property).GetString()!;
}

/// <summary>
/// How a test charger answers the server's commands: it records every CALL and answers with what
/// the test says (by default yes: <c>Accepted</c>, or <c>Unlocked</c> for an unlock).
/// </summary>
internal sealed class ChargerScript : IRpcCallHandler
{
    private readonly Channel<ReceivedCall> _calls = Channel.CreateUnbounded<ReceivedCall>();
    private readonly List<ReceivedCall> _all = [];

    /// <summary>The answer to a call; null: the default yes.</summary>
    public Func<ReceivedCall, Task<RpcReply?>> Answer { get; set; } = _ => Task.FromResult<RpcReply?>(null);

    /// <summary>Every call received so far.</summary>
    public IReadOnlyList<ReceivedCall> All
    {
        get
        {
            lock (_all)
            {
                return [.. _all];
            }
        }
    }

    public async ValueTask<RpcReply> HandleAsync(RpcInboundCall inboundCall, CancellationToken cancellationToken)
    {
        var call = new ReceivedCall(inboundCall.Action, inboundCall.Payload.Clone());
        lock (_all)
        {
            _all.Add(call);
        }

        _calls.Writer.TryWrite(call);
        return await Answer(call) ?? Status(call.Action == "UnlockConnector" ? "Unlocked" : "Accepted");
    }

    /// <summary>The next call of <paramref name="action"/> (other calls are passed over); fails after 20 s without one.</summary>
    public async Task<ReceivedCall> NextAsync(string action)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            while (true)
            {
                var call = await _calls.Reader.ReadAsync(deadline.Token);
                if (call.Action == action)
                {
                    return call;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The charger received no {action} (it received: {string.Join(", ", All.Select(c => c.Action))}).");
        }
    }

    public static RpcReply Status(string status) =>
        RpcReply.Result(JsonDocument.Parse($$"""{"status":"{{status}}"}""").RootElement);

    public static Task<TestCharger> ConnectAsync(TestNode node, string id, OcppVersion version, ChargerScript script) =>
        TestCharger.ConnectAsync(node.OcppUri(id), version, handler: script);
}
