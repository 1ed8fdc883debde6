namespace ParkCharge.Anpr.Tests;

/// <summary>The sample pushes under Fixtures/ (copied next to the test assembly).</summary>
internal static class Fixture
{
    public static byte[] Bytes(string path) => File.ReadAllBytes(System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", path));
}
