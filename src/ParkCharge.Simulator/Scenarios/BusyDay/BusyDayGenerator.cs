namespace ParkCharge.Simulator.Scenarios.BusyDay;

/// <summary>
/// Generates a busy day at a car park with EV bays: the site, the observations its cameras and chargers
/// send (in the order the server receives them) and the ground truth of who charged. Deterministic: the
/// same options give the same day, message for message.
/// </summary>
public static class BusyDayGenerator
{
    public static SimulatedDay Generate(BusyDayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Days, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.EvBays, 2);
        return new BusyDaySimulation(options).Run();
    }
}
