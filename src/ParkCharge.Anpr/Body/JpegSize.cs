using System.Buffers.Binary;

namespace ParkCharge.Anpr.Body;

/// <summary>
/// The pixel size of a JPEG from its frame header, without decoding it: a plate box in pixels becomes
/// a position in the picture (0 = left edge, 1 = right edge) only with the picture's width.
/// </summary>
internal static class JpegSize
{
    /// <summary>Reads the first start-of-frame segment (ITU-T T.81 §B.2.2: SOF0–SOF15 except DHT, JPG and DAC).</summary>
    public static bool TryRead(ReadOnlySpan<byte> jpeg, out int width, out int height)
    {
        width = height = 0;
        if (jpeg.Length < 4 || jpeg[0] != 0xFF || jpeg[1] != 0xD8)
        {
            return false;
        }

        int at = 2;
        while (at + 4 <= jpeg.Length)
        {
            if (jpeg[at] != 0xFF)
            {
                return false;
            }

            byte marker = jpeg[at + 1];
            if (marker == 0xFF)
            {
                at++; // fill byte
                continue;
            }

            if (marker is 0x01 or (>= 0xD0 and <= 0xD8))
            {
                at += 2; // markers without a length
                continue;
            }

            if (marker is 0xD9 or 0xDA)
            {
                return false; // end of image or start of scan before any frame header
            }

            int segmentLength = BinaryPrimitives.ReadUInt16BigEndian(jpeg[(at + 2)..]);
            bool isFrame = marker is >= 0xC0 and <= 0xCF and not (0xC4 or 0xC8 or 0xCC);
            if (isFrame)
            {
                if (at + 9 > jpeg.Length)
                {
                    return false;
                }

                height = BinaryPrimitives.ReadUInt16BigEndian(jpeg[(at + 5)..]);
                width = BinaryPrimitives.ReadUInt16BigEndian(jpeg[(at + 7)..]);
                return width > 0 && height > 0;
            }

            at += 2 + segmentLength;
        }

        return false;
    }
}
