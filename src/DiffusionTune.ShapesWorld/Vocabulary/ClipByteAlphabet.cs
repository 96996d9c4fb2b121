using System.Text;

namespace DiffusionTune.ShapesWorld;

/// <summary>
/// CLIP's byte-level alphabet: every byte value stands for one printable character, so BPE works on any UTF-8 text
/// without unknown symbols. Bytes that are printable Latin-1 ('!'..'~', U+00A1..U+00AC, U+00AE..U+00FF) stand for
/// themselves; the other 68 are given U+0100, U+0101, ... in increasing byte order. The vocabulary lists the
/// printable ones first, then the others, which is the order of <see cref="Symbols"/>.
/// </summary>
public static class ClipByteAlphabet
{
    static readonly char[] SymbolOfByte = new char[256];
    static readonly char[] SymbolsInVocabularyOrder = BuildAlphabet();

    /// <summary>The 256 symbols in vocabulary order (ids 0..255).</summary>
    public static IReadOnlyList<char> Symbols { get; } = SymbolsInVocabularyOrder.AsReadOnly();

    public static char SymbolOf(byte value) => SymbolOfByte[value];

    /// <summary>The UTF-8 bytes of <paramref name="text"/>, each replaced by its symbol.</summary>
    public static string ToSymbols(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return string.Create(bytes.Length, bytes, (chars, source) =>
        {
            for (int i = 0; i < source.Length; i++) chars[i] = SymbolOfByte[source[i]];
        });
    }

    static char[] BuildAlphabet()
    {
        var printable = new List<char>();
        var remapped = new List<char>();
        int nextRemapped = 0x100;
        for (int value = 0; value < 256; value++)
        {
            bool isPrintable = value is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            char symbol = isPrintable ? (char)value : (char)nextRemapped++;
            SymbolOfByte[value] = symbol;
            (isPrintable ? printable : remapped).Add(symbol);
        }
        return [.. printable, .. remapped];
    }
}
