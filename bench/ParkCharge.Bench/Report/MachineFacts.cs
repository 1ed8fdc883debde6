using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace ParkCharge.Bench.Report;

/// <summary>What the figures were measured on: they mean little without it.</summary>
public sealed record MachineFacts(
    int Cores,
    string Cpu,
    long MemoryMiB,
    string Os,
    string Kernel,
    string Dotnet,
    string DataFileSystem,
    string ServerGc,
    string GitCommit)
{
    public static MachineFacts Collect(string dataRoot, string repositoryRoot, bool serverGc) => new(
        Environment.ProcessorCount,
        CpuModel(),
        ReadMemoryMiB(),
        OsName(),
        KernelRelease(),
        RuntimeInformation.FrameworkDescription,
        FileSystemOf(dataRoot),
        serverGc ? "server GC (as ParkCharge's runtimeconfig says)" : "workstation GC (as ParkCharge's runtimeconfig says)",
        ReadGitCommit(repositoryRoot));

    private static string CpuModel() =>
        TryRead("/proc/cpuinfo")?.Split('\n').FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
        ?? RuntimeInformation.ProcessArchitecture.ToString();

    private static string KernelRelease() =>
        TryRead("/proc/sys/kernel/osrelease")?.Trim() is { Length: > 0 } release ? $"Linux {release}" : RuntimeInformation.OSDescription;

    private static long ReadMemoryMiB()
    {
        var line = TryRead("/proc/meminfo")?.Split('\n').FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
    }

    private static string OsName() =>
        TryRead("/etc/os-release")?.Split('\n').FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?["PRETTY_NAME=".Length..].Trim('"')
        ?? RuntimeInformation.OSDescription;

    /// <summary>The file system the data folder is on: on tmpfs an fsync costs nothing and durable commits look free.</summary>
    private static string FileSystemOf(string path)
    {
        var full = Path.GetFullPath(path);
        string best = "", type = "unknown";
        foreach (var line in TryRead("/proc/mounts")?.Split('\n') ?? [])
        {
            var fields = line.Split(' ');
            if (fields.Length > 2 && (full == fields[1] || full.StartsWith(fields[1].TrimEnd('/') + "/", StringComparison.Ordinal)) && fields[1].Length > best.Length)
            {
                best = fields[1];
                type = $"{fields[2]} ({fields[0]} on {fields[1]})";
            }
        }

        return type;
    }

    private static string ReadGitCommit(string repositoryRoot)
    {
        try
        {
            var start = new ProcessStartInfo("git", ["-C", repositoryRoot, "describe", "--always", "--dirty", "--abbrev=12"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var git = Process.Start(start)!;
            var output = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return git.ExitCode == 0 ? output : "unknown";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown (no git)";
        }
    }

    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
