using System.Buffers.Binary;

namespace ParkCharge.Anpr.Tests;

/// <summary>
/// Real, decodable baseline JPEGs of any size, small enough to build in a test: a uniform mid-grey
/// greyscale picture whose 8×8 blocks are all "DC difference 0, end of block", coded with one-symbol
/// Huffman tables (ITU-T T.81). A 64×48 picture is 170 bytes. Checked once against an independent
/// decoder (jpeg-js 0.4.4), which reads the size and the grey.
/// </summary>
internal static class TinyJpeg
{
    public static byte[] Grey(int width, int height)
    {
        var jpeg = new List<byte> { 0xFF, 0xD8 };
        Segment(jpeg, 0xE0, [(byte)'J', (byte)'F', (byte)'I', (byte)'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
        Segment(jpeg, 0xDB, [0, .. Enumerable.Repeat((byte)1, 64)]);
        var frame = new byte[] { 8, 0, 0, 0, 0, 1, 1, 0x11, 0 };
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(1), (ushort)height);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(3), (ushort)width);
        Segment(jpeg, 0xC0, frame);
        Segment(jpeg, 0xC4, [0x00, 1, .. new byte[15], 0x00]); // DC table 0: category 0 is code "0"
        Segment(jpeg, 0xC4, [0x10, 1, .. new byte[15], 0x00]); // AC table 0: end of block is code "0"
        Segment(jpeg, 0xDA, [1, 1, 0x00, 0, 63, 0]);

        // Two zero bits per block, padded with ones to a whole byte.
        int blocks = ((width + 7) / 8) * ((height + 7) / 8);
        int bits = 2 * blocks;
        jpeg.AddRange(new byte[bits / 8]);
        if (bits % 8 != 0)
        {
            jpeg.Add((byte)(0xFF >> (bits % 8)));
        }

        jpeg.AddRange([0xFF, 0xD9]);
        return [.. jpeg];
    }

    private static void Segment(List<byte> jpeg, byte marker, byte[] payload)
    {
        jpeg.AddRange([0xFF, marker, (byte)((payload.Length + 2) >> 8), (byte)(payload.Length + 2)]);
        jpeg.AddRange(payload);
    }
}
