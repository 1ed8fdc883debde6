using System.Diagnostics;
using System.Globalization;

namespace ParkCharge.Bench.Servers;

/// <summary>Memory and CPU of a process, and CPU of the machine, as Linux reports them in /proc.</summary>
public static class ProcessStats
{
    /// <summary>Resident set size now (VmRSS), in KiB.</summary>
    public static long RssKiB(int pid) => StatusField(pid, "VmRSS:");

    /// <summary>Peak resident set size since the process started (VmHWM), in KiB.</summary>
    public static long PeakRssKiB(int pid) => StatusField(pid, "VmHWM:");

    public static int Threads(int pid) => (int)StatusField(pid, "Threads:");

    /// <summary>User plus system CPU time the process used so far.</summary>
    public static TimeSpan CpuTime(int pid)
    {
        using var process = Process.GetProcessById(pid);
        return process.TotalProcessorTime;
    }

    /// <summary>
    /// CPU time of each of the process's threads whose name starts with <paramref name="threadName"/> (Linux keeps
    /// 15 characters of a thread's name: the runtime's tier-1 JIT thread is ".NET Tiered Com").
    /// </summary>
    public static List<(int Tid, TimeSpan Cpu)> ThreadCpuTimes(int pid, string threadName)
    {
        var threads = new List<(int, TimeSpan)>();
        foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try
            {
                // pid (comm) state ppid ... utime stime: fields 14 and 15, counted after the ')' that ends comm.
                var stat = File.ReadAllText(Path.Combine(task, "stat"));
                int open = stat.IndexOf('(', StringComparison.Ordinal), close = stat.LastIndexOf(')');
                if (!stat.AsSpan(open + 1, close - open - 1).StartsWith(threadName, StringComparison.Ordinal))
                {
                    continue;
                }

                var fields = stat[(close + 2)..].Split(' ');
                long jiffies = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                threads.Add((int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture), TimeSpan.FromSeconds(jiffies / (double)ClockTicksPerSecond)));
            }
            catch (IOException)
            {
                // the thread ended meanwhile
            }
        }

        return threads;
    }

    /// <summary>USER_HZ, the unit of /proc's CPU times: 100 on every Linux this runs on (sysconf(_SC_CLK_TCK)).</summary>
    private const int ClockTicksPerSecond = 100;

    /// <summary>The machine's CPU counters (all cores): busy and total jiffies from the first line of /proc/stat.</summary>
    public static (long Busy, long Total) MachineCpu()
    {
        // cpu  user nice system idle iowait irq softirq steal guest guest_nice
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long total = 0, idle = 0;
        for (int i = 1; i <= 8 && i < fields.Length; i++)
        {
            long value = long.Parse(fields[i], CultureInfo.InvariantCulture);
            total += value;
            if (i is 4 or 5)
            {
                idle += value; // idle and iowait
            }
        }

        return (total - idle, total);
    }

    /// <summary>
    /// The process's I/O counters from <c>/proc/PID/io</c>: read and write system calls (read, pread64, write, pwrite64 and
    /// their vector forms; socket send and receive are not among them) and the bytes it caused to be written to disk.
    /// </summary>
    public static (long ReadCalls, long WriteCalls, long WriteBytes) Io(int pid)
    {
        long syscr = 0, syscw = 0, writeBytes = 0;
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/io"))
            {
                var parts = line.Split(':', 2, StringSplitOptions.TrimEntries);
                if (parts.Length == 2 && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
                {
                    switch (parts[0])
                    {
                        case "syscr": syscr = value; break;
                        case "syscw": syscw = value; break;
                        case "write_bytes": writeBytes = value; break;
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // not readable here: the figures stay 0
        }

        return (syscr, syscw, writeBytes);
    }

    private static long StatusField(int pid, string name)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith(name, StringComparison.Ordinal))
            {
                var value = line[name.Length..].Trim();
                var space = value.IndexOf(' ', StringComparison.Ordinal);
                return long.Parse(space < 0 ? value : value[..space], CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"/proc/{pid}/status has no {name} line.");
    }
}

/// <summary>CPU used by the server, the bench client and the whole machine between two moments.</summary>
public sealed class CpuWindow
{
    private readonly int _serverPid;
    private readonly TimeSpan _serverStart;
    private readonly TimeSpan _clientStart;
    private readonly (long Busy, long Total) _machineStart;
    private readonly JitMeter _jit;
    private readonly TimeSpan _jitStart;
    private readonly long _startTicks;

    public CpuWindow(int serverPid, JitMeter jit)
    {
        _jit = jit;
        _serverPid = serverPid;
        _startTicks = Stopwatch.GetTimestamp();
        _serverStart = ProcessStats.CpuTime(serverPid);
        _clientStart = ProcessStats.CpuTime(Environment.ProcessId);
        _machineStart = ProcessStats.MachineCpu();
        _jitStart = jit.Total;
    }

    /// <summary>
    /// Server and client in percent of one core (200 % is both cores of a two-core machine); the machine's busy
    /// percent of all cores; and what neither the server nor the client used, in percent of one core: other
    /// processes (a build, a test run) and the kernel's own work, which this machine's figures then share; and the
    /// server's tier-1 JIT thread (part of the server's), which should be near 0 once it has warmed up.
    /// </summary>
    public (double ServerPercent, double ClientPercent, double MachineBusyPercent, double OtherPercent, double ServerJitPercent) End()
    {
        double jit = (_jit.Total - _jitStart).TotalSeconds;
        double wall = Stopwatch.GetElapsedTime(_startTicks).TotalSeconds;
        double server = (ProcessStats.CpuTime(_serverPid) - _serverStart).TotalSeconds / wall * 100;
        double client = (ProcessStats.CpuTime(Environment.ProcessId) - _clientStart).TotalSeconds / wall * 100;
        var machine = ProcessStats.MachineCpu();
        long total = machine.Total - _machineStart.Total;
        double busy = total == 0 ? 0 : (double)(machine.Busy - _machineStart.Busy) / total * 100;
        double other = Math.Max(0, (busy * Environment.ProcessorCount) - server - client);
        return (server, client, busy, other, jit / wall * 100);
    }

    /// <summary>The machine's busy percent of all cores over <paramref name="period"/>: a busy machine before a scenario disturbs it.</summary>
    public static async Task<double> MachineBusyPercentAsync(TimeSpan period, CancellationToken ct)
    {
        var before = ProcessStats.MachineCpu();
        await Task.Delay(period, ct);
        var after = ProcessStats.MachineCpu();
        long total = after.Total - before.Total;
        return total == 0 ? 0 : (double)(after.Busy - before.Busy) / total * 100;
    }
}

/// <summary>
/// CPU used by the server's tier-1 JIT thread (".NET Tiered Com"), busy while the server is still warming up.
/// The runtime ends that thread when it runs out of work and starts a new one later, so its CPU time cannot
/// be read once at the start and once at the end: every such thread is sampled four times a second and
/// remembered after it ended (what it used after its last sample is lost, at most a quarter second's worth).
/// </summary>
public sealed class JitMeter : IAsyncDisposable
{
    public const string JitThread = ".NET Tiered Com";

    private readonly int _pid;
    private readonly Dictionary<int, TimeSpan> _threads = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;

    public JitMeter(int pid)
    {
        _pid = pid;
        Sample();
        _sampling = SampleAsync();
    }

    /// <summary>All the CPU the JIT threads used since the meter started watching (and before, for threads alive then).</summary>
    public TimeSpan Total
    {
        get
        {
            lock (_threads)
            {
                Sample();
                var total = TimeSpan.Zero;
                foreach (var cpu in _threads.Values)
                {
                    total += cpu;
                }

                return total;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _sampling;
        }
        catch (OperationCanceledException)
        {
            // stopped
        }

        _stop.Dispose();
    }

    private async Task SampleAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250), _stop.Token);
            lock (_threads)
            {
                Sample();
            }
        }
    }

    private void Sample()
    {
        try
        {
            foreach (var (tid, cpu) in ProcessStats.ThreadCpuTimes(_pid, JitThread))
            {
                _threads[tid] = cpu;
            }
        }
        catch (DirectoryNotFoundException)
        {
            // the server has exited
        }
    }
}

/// <summary>
/// The server's CPU split by thread over the window, from <c>/proc/PID/task/*/stat</c>: which threads did the work
/// (a single busy thread is a serial path; the thread pool's workers spread over both cores). Threads are grouped by
/// their name with digits dropped (".NET TP Worker", ".NET Long Running Task", "SqliteWriter"...); the busiest single
/// thread is kept apart.
/// </summary>
public sealed class ThreadCpuSplit
{
    private readonly int _pid;
    private readonly Dictionary<int, (string Name, long Jiffies)> _start;
    private readonly long _startTicks;

    public ThreadCpuSplit(int pid)
    {
        _pid = pid;
        _startTicks = Stopwatch.GetTimestamp();
        _start = Read(pid);
    }

    /// <summary>Percent of one core per thread group (largest first), and the busiest single thread.</summary>
    public (IReadOnlyList<(string Name, int Threads, double Percent)> Groups, string BusiestThread, double BusiestPercent) End()
    {
        double wall = Stopwatch.GetElapsedTime(_startTicks).TotalSeconds;
        var end = Read(_pid);
        var groups = new Dictionary<string, (int Threads, long Jiffies)>(StringComparer.Ordinal);
        (string Name, long Jiffies) busiest = ("", 0);
        foreach (var (tid, (name, jiffies)) in end)
        {
            long used = jiffies - (_start.TryGetValue(tid, out var before) ? before.Jiffies : 0);
            if (used <= 0)
            {
                continue;
            }

            var group = new string([.. name.Where(c => !char.IsDigit(c))]).Trim();
            var (threads, sum) = groups.GetValueOrDefault(group);
            groups[group] = (threads + 1, sum + used);
            if (used > busiest.Jiffies)
            {
                busiest = ($"{name} ({tid})", used);
            }
        }

        double Percent(long jiffies) => wall <= 0 ? 0 : Math.Round(jiffies / 100.0 / wall * 100, 1);
        return ([.. groups.OrderByDescending(g => g.Value.Jiffies).Select(g => (g.Key, g.Value.Threads, Percent(g.Value.Jiffies)))], busiest.Name, Percent(busiest.Jiffies));
    }

    private static Dictionary<int, (string, long)> Read(int pid)
    {
        var threads = new Dictionary<int, (string, long)>();
        try
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                try
                {
                    var stat = File.ReadAllText(Path.Combine(task, "stat"));
                    int open = stat.IndexOf('(', StringComparison.Ordinal), close = stat.LastIndexOf(')');
                    var fields = stat[(close + 2)..].Split(' ');
                    long jiffies = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                    threads[int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture)] = (stat[(open + 1)..close], jiffies);
                }
                catch (IOException)
                {
                    // the thread ended meanwhile
                }
            }
        }
        catch (DirectoryNotFoundException)
        {
            // the server has exited
        }

        return threads;
    }
}
