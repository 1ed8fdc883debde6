using System.Buffers;

namespace ParkCharge.Ocpp.Rpc;

/// <summary>
/// A growable byte buffer rented from <see cref="ArrayPool{T}.Shared"/> only while a message is in it: a
/// connection's receive and send buffers hold no array between messages, so an idle connection keeps no
/// buffer (thousands of idle chargers would otherwise each keep a receive and a send array).
/// </summary>
internal sealed class PooledByteBuffer : IBufferWriter<byte>, IDisposable
{
    private const int InitialSize = 4096;

    private byte[] _buffer = [];
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

    /// <summary>Empties the buffer and gives its array back to the pool; the next write rents one again.</summary>
    public void Reset()
    {
        _written = 0;
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }

    /// <summary>
    /// Hands the written bytes' array to a new owner, who must return it to <see cref="ArrayPool{T}.Shared"/>;
    /// this buffer is left empty, holding no array. Lets a parsed frame keep its bytes without a copy.
    /// </summary>
    public byte[] Detach(out int length)
    {
        byte[] detached = _buffer;
        length = _written;
        _buffer = [];
        _written = 0;
        return detached;
    }

    public void Dispose() => Reset();

    private void EnsureFree(int sizeHint)
    {
        int needed = Math.Max(sizeHint, 1);
        if (_buffer.Length - _written >= needed)
        {
            return;
        }

        byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(Math.Max(_buffer.Length * 2, InitialSize), _written + needed));
        if (_buffer.Length > 0)
        {
            _buffer.AsSpan(0, _written).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = larger;
    }
}
