using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;

namespace ParkCharge.Server.Tests.Conformance;

/// <summary>
/// One of the Node.js conformance scripts (tests/conformance), run as a real process. It reports on
/// stdout: <c>RESULT {json}</c>, <c>CALL Action {json}</c>, <c>READY</c>, <c>SURVIVED</c>,
/// <c>FAIL why</c>; closing its stdin ends it.
/// </summary>
internal sealed class NodeScript : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly List<string> _all = [];

    private NodeScript(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _lines.Writer.TryComplete();
                return;
            }

            lock (_all)
            {
                _all.Add(e.Data);
            }

            _lines.Writer.TryWrite(e.Data);
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_all)
                {
                    _all.Add("stderr: " + e.Data);
                }
            }
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Everything the script printed so far, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_all)
            {
                return string.Join('\n', _all);
            }
        }
    }

    public static NodeScript Start(string script, params string[] arguments)
    {
        if (!Directory.Exists(Path.Combine(Repository.Conformance, "node_modules", "ocpp-rpc")))
        {
            throw new InvalidOperationException("The conformance tests need their npm packages: run ./test.sh (or npm ci in tests/conformance).");
        }

        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = Repository.Conformance,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return new NodeScript(Process.Start(start)!);
    }

    /// <summary>Reads lines until one starts with <paramref name="prefix"/>; fails on FAIL or when the script ends first.</summary>
    public async Task<string> WaitForAsync(string prefix, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await foreach (var line in _lines.Reader.ReadAllAsync(cts.Token))
            {
                if (line.StartsWith("FAIL", StringComparison.Ordinal))
                {
                    Assert.Fail($"The conformance script failed: {line}\n{Output}");
                }

                if (line.StartsWith(prefix, StringComparison.Ordinal))
                {
                    return line[prefix.Length..].Trim();
                }
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"No '{prefix}' from the conformance script within the time limit.\n{Output}");
        }

        Assert.Fail($"The conformance script ended without '{prefix}'.\n{Output}");
        return "";
    }

    public async Task<JsonElement> WaitForResultAsync() => JsonDocument.Parse(await WaitForAsync("RESULT ")).RootElement.Clone();

    /// <summary>Closes stdin (the script then disconnects) and returns its exit code.</summary>
    public async Task<int> EndAsync()
    {
        _process.StandardInput.Close();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public async Task<int> WaitForExitAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
