using System.Buffers;

namespace ParkCharge.Ocpp.Rpc;

/// <summary>
/// A growable byte buffer rented from <see cref="ArrayPool{T}.Shared"/>: one per connection for
/// receiving and one for sending, so steady-state traffic allocates no arrays. A buffer that grew
/// for one large message goes back to the pool instead of staying with the connection.
/// </summary>
internal sealed class PooledByteBuffer : IBufferWriter<byte>, IDisposable
{
    private const int InitialSize = 4096;
    private const int KeepAtMost = 64 * 1024;

    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(InitialSize);
    private int _written;

    public int WrittenCount => _written;

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _written);

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _written);

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _buffer.Length - _written);
        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        EnsureFree(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        EnsureFree(sizeHint);
        return _buffer.AsSpan(_written);
    }

    /// <summary>Empties the buffer for the next message, shrinking it if one message made it large.</summary>
    public void Reset()
    {
        _written = 0;
        if (_buffer.Length > KeepAtMost)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(InitialSize);
        }
    }

    /// <summary>
    /// Hands the written bytes' array to a new owner, who must return it to <see cref="ArrayPool{T}.Shared"/>;
    /// this buffer continues with a fresh array. Lets a parsed frame keep its bytes without a copy.
    /// </summary>
    public byte[] Detach(out int length)
    {
        byte[] detached = _buffer;
        length = _written;
        _buffer = ArrayPool<byte>.Shared.Rent(InitialSize);
        _written = 0;
        return detached;
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        _written = 0;
    }

    private void EnsureFree(int sizeHint)
    {
        int needed = Math.Max(sizeHint, 1);
        if (_buffer.Length - _written >= needed)
        {
            return;
        }

        byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _written + needed));
        _buffer.AsSpan(0, _written).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }
}
