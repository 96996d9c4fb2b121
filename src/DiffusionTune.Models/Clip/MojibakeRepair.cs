using System.Buffers;
using System.Text;

namespace DiffusionTune.Models.Clip;

/// <summary>
/// Repairs UTF-8 text that was decoded as Windows-1252/Latin-1 ("cafÃ©" for "café", "donâ€™t" for "don’t").
/// </summary>
/// <remarks>
/// ftfy decides with a statistical "badness" heuristic; this repair is narrower and rule-based so that it can
/// never damage ordinary text. A candidate is a lead character followed by the right number of characters that
/// stand for UTF-8 continuation bytes (0x80..0xBF as Windows-1252/Latin-1 shows them: symbols, punctuation, the
/// C1 controls, no-break space), and it is decoded only when the bytes form one well-formed UTF-8 character and
/// the lead is one that real text practically never puts directly before such symbols:
/// Â Ã (→ U+0080..U+00FF, Latin-1 letters and signs), Î Ï (→ Greek), Ð Ñ (→ Cyrillic),
/// â (→ U+2000..U+2FFF: quotes, dashes, ellipsis, €, ™, arrows) and ð (→ the supplementary planes: emoji).
/// Mojibake of CJK text (lead ã, ä...) and of the other 2-byte ranges (Å → ł š ž œ ...) is left alone, because
/// those leads are common letters (Portuguese ã, German ä, Swedish Å) that may legitimately stand before a quote,
/// a dash or an ellipsis. So is mojibake whose no-break space was later turned into a plain space (ftfy's
/// restore_byte_a0).
/// </remarks>
static class MojibakeRepair
{
    public static string Repair(string text)
    {
        if (!text.AsSpan().ContainsAnyExceptInRange('\0', '\u007F'))
            return text;

        StringBuilder? repaired = null;
        int copiedUpTo = 0;
        Span<byte> utf8 = stackalloc byte[4];
        for (int i = 0; i < text.Length; i++)
        {
            int length = SequenceLength(text[i]);
            if (length == 0 || i + length > text.Length)
                continue;

            utf8[0] = (byte)text[i];
            bool allContinuations = true;
            for (int k = 1; k < length && allContinuations; k++)
                allContinuations = Windows1252.TryGetContinuationByte(text[i + k], out utf8[k]);
            if (!allContinuations)
                continue;

            if (Rune.DecodeFromUtf8(utf8[..length], out var rune, out int consumed) != OperationStatus.Done || consumed != length)
                continue;

            repaired ??= new StringBuilder(text.Length);
            repaired.Append(text, copiedUpTo, i - copiedUpTo).Append(rune.ToString());
            i += length - 1;
            copiedUpTo = i + 1;
        }

        if (repaired is null)
            return text;
        return repaired.Append(text, copiedUpTo, text.Length - copiedUpTo).ToString();
    }

    /// <summary>The UTF-8 sequence length a trusted lead character starts, or 0 for any other character.</summary>
    static int SequenceLength(char lead) => lead switch
    {
        'Â' or 'Ã' or 'Î' or 'Ï' or 'Ð' or 'Ñ' => 2,
        'â' => 3,
        'ð' => 4,
        _ => 0,
    };
}
