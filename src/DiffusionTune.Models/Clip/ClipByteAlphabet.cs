using System.Text;

namespace DiffusionTune.Models.Clip;

/// <summary>
/// CLIP's byte-level alphabet (the same as GPT-2's): every byte value has a printable stand-in character so BPE
/// can work on strings. Printable Latin-1 bytes (! .. ~, ¡ .. ¬, ® .. ÿ) stand for themselves; the other 68 byte
/// values get U+0100, U+0101, ... in increasing byte order. Vocabularies list them by character (printable first),
/// as ids 0..255.
/// </summary>
public static class ClipByteAlphabet
{
    static readonly char[] CharOfByte = BuildAlphabet();
    static readonly Dictionary<char, byte> ByteOfChar =
        CharOfByte.Select((c, b) => (c, b)).ToDictionary(p => p.c, p => (byte)p.b);

    /// <summary>The 256 stand-in characters, indexed by byte value.</summary>
    public static IReadOnlyList<char> Characters => CharOfByte;

    /// <summary>The 256 stand-in characters in vocabulary order (ids 0..255 of a CLIP vocabulary).</summary>
    public static IReadOnlyList<char> VocabularyOrder { get; } = CharOfByte.Order().ToArray();

    public static char SymbolOf(byte value) => CharOfByte[value];

    public static bool TryGetByte(char c, out byte value) => ByteOfChar.TryGetValue(c, out value);

    /// <summary>The UTF-8 bytes of <paramref name="text"/>, each replaced by its stand-in character.</summary>
    public static string ToSymbols(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return string.Create(bytes.Length, bytes, (chars, source) =>
        {
            for (int i = 0; i < source.Length; i++) chars[i] = CharOfByte[source[i]];
        });
    }

    static char[] BuildAlphabet()
    {
        var alphabet = new char[256];
        int nextSubstitute = 0x100;
        for (int b = 0; b < 256; b++)
        {
            bool printable = b is (>= '!' and <= '~') or (>= 0xA1 and <= 0xAC) or (>= 0xAE and <= 0xFF);
            alphabet[b] = printable ? (char)b : (char)nextSubstitute++;
        }
        return alphabet;
    }
}
