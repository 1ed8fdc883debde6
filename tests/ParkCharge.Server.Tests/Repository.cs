namespace ParkCharge.Server.Tests;

/// <summary>Paths in the repository the tests run from.</summary>
internal static class Repository
{
    /// <summary>The folder with ParkCharge.slnx.</summary>
    public static string Root { get; } = FindRoot();

    public static string Conformance => Path.Combine(Root, "tests", "conformance");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ParkCharge.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The tests must run inside the repository (no ParkCharge.slnx above " + AppContext.BaseDirectory + ").");
    }
}
