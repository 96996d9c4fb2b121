using System.Text.RegularExpressions;

namespace DiffusionTune.Models.Adapters;

/// <summary>
/// Whether a word occurs in a prompt the way the CLIP tokenizer separates words: whole (not inside another word, so
/// <c>sks</c> is not in <c>asks</c>), ignoring case, and wherever punctuation bounds it, so prompt weighting such as
/// <c>(sks:1.2)</c> still mentions <c>sks</c>.
/// </summary>
public static class PromptWord
{
    /// <summary>Whether <paramref name="word"/> occurs in <paramref name="prompt"/> as a whole word, ignoring case.</summary>
    public static bool Occurs(string prompt, string word) =>
        Regex.IsMatch(prompt, $@"(?<![\p{{L}}\p{{N}}_]){Regex.Escape(word)}(?![\p{{L}}\p{{N}}_])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
}
