using System.Collections.Concurrent;

namespace ParkCharge.Simulator.Running;

/// <summary>What a run has done so far, updated from many tasks at once; read for progress lines and the summary.</summary>
public sealed class SimulationProgress
{
    private const int KeptErrors = 20;

    private readonly ConcurrentQueue<string> _errors = new();
    private long _vehiclesIn;
    private long _vehiclesOut;
    private long _chargingSessions;
    private long _reads;
    private long _ocppMessages;
    private long _queuedOnline;
    private long _errorCount;
    private long _serverCalls;
    private int _connected;

    public long VehiclesIn => Interlocked.Read(ref _vehiclesIn);

    public long VehiclesOut => Interlocked.Read(ref _vehiclesOut);

    public long ChargingSessions => Interlocked.Read(ref _chargingSessions);

    /// <summary>Camera pushes accepted by the server.</summary>
    public long Reads => Interlocked.Read(ref _reads);

    /// <summary>OCPP CALLs the chargers sent and the server answered.</summary>
    public long OcppMessages => Interlocked.Read(ref _ocppMessages);

    /// <summary>Transaction messages a charger queued while offline and delivered after reconnecting.</summary>
    public long DeliveredAfterReconnect => Interlocked.Read(ref _queuedOnline);

    /// <summary>Calls from the server to the chargers (remote start/stop, profiles, ...) that the chargers answered.</summary>
    public long ServerCalls => Interlocked.Read(ref _serverCalls);

    public int ChargersConnected => Volatile.Read(ref _connected);

    public long Errors => Interlocked.Read(ref _errorCount);

    /// <summary>The first errors, word for word (the count goes on).</summary>
    public IReadOnlyList<string> ErrorSamples => [.. _errors];

    internal void VehicleIn() => Interlocked.Increment(ref _vehiclesIn);

    internal void VehicleOut() => Interlocked.Increment(ref _vehiclesOut);

    internal void ChargingStarted() => Interlocked.Increment(ref _chargingSessions);

    internal void ReadAccepted() => Interlocked.Increment(ref _reads);

    internal void OcppAnswered(bool wasQueued)
    {
        Interlocked.Increment(ref _ocppMessages);
        if (wasQueued)
        {
            Interlocked.Increment(ref _queuedOnline);
        }
    }

    internal void ServerCalled() => Interlocked.Increment(ref _serverCalls);

    internal void Connected() => Interlocked.Increment(ref _connected);

    internal void Disconnected() => Interlocked.Decrement(ref _connected);

    internal void Error(string message)
    {
        if (Interlocked.Increment(ref _errorCount) <= KeptErrors)
        {
            _errors.Enqueue(message);
        }
    }
}
