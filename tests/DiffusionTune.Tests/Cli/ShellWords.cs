using System.Text;

namespace DiffusionTune.Tests.Cli;

/// <summary>
/// Splits a command line into the words a POSIX shell passes to the program: whitespace separates words, single quotes
/// keep everything literally, double quotes keep spaces (a backslash there escapes only <c>" \ $ `</c>), a backslash
/// outside quotes escapes the next character, and an unquoted <c>#</c> at the start of a word begins a comment.
/// Expansions (<c>$VAR</c>, globs) are not done: README examples pass globs quoted, for the tool to expand.
/// </summary>
static class ShellWords
{
    public static string[] Split(string line)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        bool inWord = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (char.IsWhiteSpace(c))
            {
                if (inWord) words.Add(word.ToString());
                word.Clear();
                inWord = false;
                continue;
            }
            if (c == '#' && !inWord) break;
            inWord = true;
            switch (c)
            {
                case '\'':
                    int close = line.IndexOf('\'', i + 1);
                    if (close < 0) throw new FormatException($"unclosed ' in: {line}");
                    word.Append(line, i + 1, close - i - 1);
                    i = close;
                    break;
                case '"':
                    for (i++; ; i++)
                    {
                        if (i >= line.Length) throw new FormatException($"unclosed \" in: {line}");
                        if (line[i] == '"') break;
                        if (line[i] == '\\' && i + 1 < line.Length && "\"\\$`".Contains(line[i + 1])) i++;
                        word.Append(line[i]);
                    }
                    break;
                case '\\' when i + 1 < line.Length:
                    word.Append(line[++i]);
                    break;
                default:
                    word.Append(c);
                    break;
            }
        }
        if (inWord) words.Add(word.ToString());
        return [.. words];
    }
}
