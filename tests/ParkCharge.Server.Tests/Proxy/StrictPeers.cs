using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

using ParkCharge.Server.Tests.Conformance;

namespace ParkCharge.Server.Tests.Proxy;

/// <summary>
/// A charger's existing backend written by others: tests/conformance/proxy-backend.js, an ocpp-rpc
/// RPCServer in strict mode, run as a real process on a loopback port.
/// </summary>
internal sealed class StrictBackend : IAsyncDisposable
{
    private readonly NodeScript _script;
    private int _nextId;

    private StrictBackend(NodeScript script, int port)
    {
        _script = script;
        Port = port;
    }

    public int Port { get; }

    public string Url(string endpoint) => $"ws://127.0.0.1:{Port}/{endpoint}";

    public string Output => _script.Output;

    public static async Task<StrictBackend> StartAsync(string? password = null)
    {
        var script = password is null ? NodeScript.Start("proxy-backend.js") : NodeScript.Start("proxy-backend.js", "--password", password);
        var port = int.Parse(await script.WaitForAsync("LISTENING "), CultureInfo.InvariantCulture);
        return new StrictBackend(script, port);
    }

    /// <summary>Every CALL the backend received at <paramref name="endpoint"/> from <paramref name="identity"/>, in arrival order.</summary>
    public IReadOnlyList<(string Method, JsonElement Params)> Received(string endpoint, string identity) =>
        [.. Events("RECEIVED")
            .Where(e => e.GetProperty("endpoint").GetString() == "/" + endpoint && e.GetProperty("identity").GetString() == identity)
            .Select(e => (e.GetProperty("method").GetString()!, e.GetProperty("params").Clone()))];

    /// <summary>Waits until the backend has received <paramref name="count"/> CALLs of <paramref name="method"/> at the endpoint.</summary>
    public async Task<JsonElement> WaitForReceivedAsync(string endpoint, string identity, string method, int count = 1)
    {
        await _script.WaitForLineAsync(
            _ => Received(endpoint, identity).Count(r => r.Method == method) >= count,
            what: $"RECEIVED {method} x{count} at /{endpoint}");
        return Received(endpoint, identity).Where(r => r.Method == method).ElementAt(count - 1).Params;
    }

    public Task WaitForConnectedAsync(string endpoint, string identity, int count = 1) =>
        _script.WaitForLineAsync(
            _ => Events("CONNECTED").Count(e => e.GetProperty("endpoint").GetString() == "/" + endpoint && e.GetProperty("identity").GetString() == identity) >= count,
            what: $"CONNECTED x{count} at /{endpoint}");

    /// <summary>Strict-mode validation failures the backend saw (ours or the peer's): none is expected.</summary>
    public IReadOnlyList<string> StrictFailures => [.. _script.Lines.Where(l => l.StartsWith("STRICT ", StringComparison.Ordinal))];

    /// <summary>The backend sends a CALL to the charger through ParkCharge; returns its answer or CALLERROR.</summary>
    public async Task<(bool Answered, JsonElement Body)> CallAsync(string endpoint, string identity, string action, JsonObject parameters)
    {
        var id = Interlocked.Increment(ref _nextId).ToString(CultureInfo.InvariantCulture);
        var command = new JsonObject { ["id"] = id, ["call"] = action, ["identity"] = identity, ["endpoint"] = "/" + endpoint, ["params"] = parameters };
        await _script.SendAsync(command.ToJsonString());
        var line = await _script.WaitForLineAsync(l => (l.StartsWith("ANSWER ", StringComparison.Ordinal) || l.StartsWith("ERROR ", StringComparison.Ordinal)) && ScriptLines.IdOf(l) == id, what: $"the answer to {action}");
        var body = JsonDocument.Parse(line[(line.IndexOf(' ', StringComparison.Ordinal) + 1)..]).RootElement.Clone();
        return line.StartsWith("ANSWER ", StringComparison.Ordinal) ? (true, body.GetProperty("result")) : (false, body);
    }

    /// <summary>An outage: every connection closed, nothing listening, until <see cref="UpAsync"/>.</summary>
    public async Task DownAsync()
    {
        var downs = _script.Lines.Count(l => l.StartsWith("DOWN ", StringComparison.Ordinal));
        await _script.SendAsync("""{"down":true}""");
        await _script.WaitForLineAsync(_ => _script.Lines.Count(l => l.StartsWith("DOWN ", StringComparison.Ordinal)) > downs, what: "DOWN");
    }

    public async Task UpAsync()
    {
        var ups = _script.Lines.Count(l => l.StartsWith("UP ", StringComparison.Ordinal));
        await _script.SendAsync("""{"up":true}""");
        await _script.WaitForLineAsync(_ => _script.Lines.Count(l => l.StartsWith("UP ", StringComparison.Ordinal)) > ups, what: "UP");
    }

    public ValueTask DisposeAsync() => _script.DisposeAsync();

    private IEnumerable<JsonElement> Events(string kind) =>
        _script.Lines.Where(l => l.StartsWith(kind + " ", StringComparison.Ordinal))
            .Select(l => JsonDocument.Parse(l[(kind.Length + 1)..]).RootElement);
}

/// <summary>
/// A charger written by others: tests/conformance/proxy-charger.js, an ocpp-rpc client in strict mode, told
/// what to send (and when, with which timestamps) by the test, answering the central system's calls as a charger.
/// </summary>
internal sealed class StrictCharger : IAsyncDisposable
{
    private readonly NodeScript _script;
    private int _nextId;

    private StrictCharger(NodeScript script) => _script = script;

    public string Output => _script.Output;

    public static async Task<StrictCharger> ConnectAsync(Uri ocppBase, string id, string protocol)
    {
        var script = NodeScript.Start("proxy-charger.js", "--url", ocppBase.ToString().TrimEnd('/'), "--id", id, "--protocol", protocol);
        await script.WaitForAsync("CONNECTED ");
        return new StrictCharger(script);
    }

    /// <summary>Sends a CALL and returns the answer; fails the test on a CALLERROR (a charger behind a proxy must never see one it would not see directly).</summary>
    public async Task<JsonElement> CallAsync(string action, JsonObject parameters)
    {
        var (answered, body) = await TryCallAsync(action, parameters);
        Assert.True(answered, $"{action} got a CALLERROR: {body}\n{Output}");
        return body;
    }

    public async Task<(bool Answered, JsonElement Body)> TryCallAsync(string action, JsonObject parameters)
    {
        var id = Interlocked.Increment(ref _nextId).ToString(CultureInfo.InvariantCulture);
        await _script.SendAsync(new JsonObject { ["id"] = id, ["call"] = action, ["params"] = parameters }.ToJsonString());
        var line = await _script.WaitForLineAsync(
            l => (l.StartsWith("ANSWERED ", StringComparison.Ordinal) || l.StartsWith("CALLERROR ", StringComparison.Ordinal)) && ScriptLines.IdOf(l) == id,
            what: $"the answer to {action}");
        var body = JsonDocument.Parse(line[(line.IndexOf(' ', StringComparison.Ordinal) + 1)..]).RootElement.Clone();
        return line.StartsWith("ANSWERED ", StringComparison.Ordinal) ? (true, body.GetProperty("result")) : (false, body);
    }

    /// <summary>The CALLs of <paramref name="action"/> the central system sent this charger so far.</summary>
    public IReadOnlyList<JsonElement> Calls(string action) =>
        [.. _script.Lines.Where(l => l.StartsWith($"CALL {action} ", StringComparison.Ordinal))
            .Select(l => JsonDocument.Parse(l[$"CALL {action} ".Length..]).RootElement.Clone())];

    public async Task<JsonElement> WaitForCallAsync(string action, int count = 1)
    {
        await _script.WaitForLineAsync(_ => Calls(action).Count >= count, what: $"CALL {action} x{count}");
        return Calls(action)[count - 1];
    }

    public ValueTask DisposeAsync() => _script.DisposeAsync();
}

/// <summary>The scripts' stdout lines: <c>KIND {json}</c>.</summary>
internal static class ScriptLines
{
    /// <summary>The <c>id</c> of the JSON after the line's kind, if it has one.</summary>
    public static string? IdOf(string line)
    {
        using var document = JsonDocument.Parse(line[(line.IndexOf(' ', StringComparison.Ordinal) + 1)..]);
        return document.RootElement.TryGetProperty("id", out var id) ? id.GetString() : null;
    }
}
