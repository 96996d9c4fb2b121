namespace DiffusionTune.Models.Clip;

/// <summary>
/// The part of Windows-1252 that differs from Latin-1: bytes 0x80..0x9F. Decoding is "sloppy" (as browsers and
/// ftfy do it): the five bytes Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) decode to the C1
/// control character of the same number, so every byte round-trips.
/// </summary>
static class Windows1252
{
    static readonly char[] HighControlRange =
    [
        '\u20AC', '\u0081', '\u201A', '\u0192', '\u201E', '\u2026', '\u2020', '\u2021',
        '\u02C6', '\u2030', '\u0160', '\u2039', '\u0152', '\u008D', '\u017D', '\u008F',
        '\u0090', '\u2018', '\u2019', '\u201C', '\u201D', '\u2022', '\u2013', '\u2014',
        '\u02DC', '\u2122', '\u0161', '\u203A', '\u0153', '\u009D', '\u017E', '\u0178',
    ];

    static readonly Dictionary<char, byte> ByteOfHighControlRangeChar =
        HighControlRange.Select((c, i) => (c, b: (byte)(0x80 + i))).ToDictionary(p => p.c, p => p.b);

    /// <summary>The character that byte <paramref name="value"/> (0x80..0x9F) stands for.</summary>
    public static char DecodeHighControlByte(int value) => HighControlRange[value - 0x80];

    /// <summary>
    /// The byte a character would have been read from if a UTF-8 byte in 0x80..0xBF (a continuation byte) was
    /// misread as Windows-1252 or Latin-1.
    /// </summary>
    public static bool TryGetContinuationByte(char c, out byte value)
    {
        if (c is >= '\u0080' and <= '\u00BF')
        {
            value = (byte)c;
            return true;
        }
        return ByteOfHighControlRangeChar.TryGetValue(c, out value);
    }
}
