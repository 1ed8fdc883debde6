using System.Diagnostics;

namespace ParkCharge.Bench.Load;

/// <summary>
/// Reply latencies in fixed log-linear buckets (the HdrHistogram idea, without the package): exact
/// to the microsecond below 128 µs, then 64 buckets per power of two, so any percentile is within
/// 1.6 % of the true value. Recording is one Interlocked increment, safe from every charger at once,
/// and allocates nothing.
/// </summary>
public sealed class LatencyHistogram
{
    private const int LinearLimit = 128;      // values below are their own bucket
    private const int SubBucketBits = 6;      // 64 buckets per power of two above
    private const int SubBuckets = 1 << SubBucketBits;
    private const int MaxExponent = 40;       // 2^40 µs is 12 days: more than any call timeout
    private const int BucketCount = LinearLimit + ((MaxExponent - 7 + 1) * SubBuckets);

    private readonly long[] _counts = new long[BucketCount];
    private long _count;
    private long _sumMicros;
    private long _maxMicros;

    public long Count => Volatile.Read(ref _count);

    public long MaxMicros => Volatile.Read(ref _maxMicros);

    public double MeanMicros => Count == 0 ? 0 : (double)Volatile.Read(ref _sumMicros) / Count;

    public static long ToMicros(long stopwatchTicks) => stopwatchTicks * 1_000_000 / Stopwatch.Frequency;

    public void Record(long micros)
    {
        if (micros < 0)
        {
            micros = 0;
        }

        Interlocked.Increment(ref _counts[BucketOf(micros)]);
        Interlocked.Increment(ref _count);
        Interlocked.Add(ref _sumMicros, micros);
        long max = Volatile.Read(ref _maxMicros);
        while (micros > max)
        {
            long seen = Interlocked.CompareExchange(ref _maxMicros, micros, max);
            if (seen == max)
            {
                break;
            }

            max = seen;
        }
    }

    /// <summary>The latency at or below which <paramref name="percentile"/> % of the samples lie (the bucket's upper edge, capped at the max).</summary>
    public long PercentileMicros(double percentile)
    {
        long total = Count;
        if (total == 0)
        {
            return 0;
        }

        long rank = Math.Max(1, (long)Math.Ceiling(percentile / 100.0 * total));
        long seen = 0;
        for (int i = 0; i < BucketCount; i++)
        {
            seen += Volatile.Read(ref _counts[i]);
            if (seen >= rank)
            {
                return Math.Min(UpperEdge(i), MaxMicros);
            }
        }

        return MaxMicros;
    }

    public void Add(LatencyHistogram other)
    {
        for (int i = 0; i < BucketCount; i++)
        {
            _counts[i] += other._counts[i];
        }

        _count += other._count;
        _sumMicros += other._sumMicros;
        _maxMicros = Math.Max(_maxMicros, other._maxMicros);
    }

    private static int BucketOf(long micros)
    {
        if (micros < LinearLimit)
        {
            return (int)micros;
        }

        int exponent = Math.Min(63 - (int)long.LeadingZeroCount(micros), MaxExponent);
        long sub = Math.Min((micros >> (exponent - SubBucketBits)) - SubBuckets, SubBuckets - 1);
        return LinearLimit + ((exponent - 7) * SubBuckets) + (int)sub;
    }

    private static long UpperEdge(int bucket)
    {
        if (bucket < LinearLimit)
        {
            return bucket;
        }

        int exponent = ((bucket - LinearLimit) / SubBuckets) + 7;
        int sub = (bucket - LinearLimit) % SubBuckets;
        long width = 1L << (exponent - SubBucketBits);
        return ((SubBuckets + sub + 1) * width) - 1;
    }
}
