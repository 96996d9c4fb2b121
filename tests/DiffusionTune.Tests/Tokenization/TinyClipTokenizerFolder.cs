using System.Text.Json;
using DiffusionTune.Models.Clip;

namespace DiffusionTune.Tests.Tokenization;

/// <summary>
/// A self-made CLIP-style tokenizer folder: the 256 byte symbols (ids 0..255, so "a" = 64 and "," = 11 as in the
/// real vocabulary), their end-of-word forms (256..511), four merges that make "cat&lt;/w&gt;" and
/// "dog&lt;/w&gt;", then the start and end tokens.
/// </summary>
static class TinyClipTokenizerFolder
{
    public const int A = 320, Comma = 267, Ca = 512, Cat = 513, Dog = 515, StartOfText = 516, EndOfText = 517;
    public const int Size = 518;

    public static readonly string[] Merges = ["c a", "ca t</w>", "d o", "do g</w>"];

    public static Dictionary<string, int> Vocabulary()
    {
        var vocabulary = new Dictionary<string, int>();
        // CLIP's order: printable bytes (standing for themselves) first, then the substitutes, i.e. by character.
        var symbols = ClipByteAlphabet.Characters.Order().ToArray();
        for (int i = 0; i < symbols.Length; i++)
        {
            vocabulary[symbols[i].ToString()] = i;
            vocabulary[symbols[i] + "</w>"] = 256 + i;
        }
        foreach (var merge in Merges)
            vocabulary[merge.Replace(" ", "")] = vocabulary.Count;
        vocabulary[ClipTokenizer.StartOfTextToken] = StartOfText;
        vocabulary[ClipTokenizer.EndOfTextToken] = EndOfText;
        return vocabulary;
    }

    /// <summary>Writes the folder (vocab.json, merges.txt and the given extra files) under a new temp folder.</summary>
    public static string Write(params (string Name, string Content)[] extraFiles)
    {
        string folder = TestPaths.TempFolder();
        File.WriteAllText(Path.Combine(folder, "vocab.json"), JsonSerializer.Serialize(Vocabulary()));
        File.WriteAllLines(Path.Combine(folder, "merges.txt"), ["#version: 0.2", .. Merges]);
        foreach (var (name, content) in extraFiles)
            File.WriteAllText(Path.Combine(folder, name), content);
        return folder;
    }

    public static ClipTokenizer Load() => ClipTokenizer.FromFolder(Write());
}
