namespace ParkCharge.Server.Tests;

/// <summary>Waiting for what a node does in its own time (a timer, a delivery): read again until done, or give up.</summary>
internal static class Eventually
{
    /// <summary>Reads until <paramref name="done"/> holds or <paramref name="within"/> (15 s by default) has passed; returns the last value read.</summary>
    public static async Task<T> ReadAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan? within = null)
    {
        var until = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            var value = await read();
            if (done(value) || DateTime.UtcNow > until)
            {
                return value;
            }

            await Task.Delay(100);
        }
    }
}
