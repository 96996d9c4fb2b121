namespace DiffusionTune.Tests.Cli;

/// <summary>A command as README.md shows it in a shell code block: the line it starts on and its words.</summary>
sealed record ReadmeCommandLine(int Line, string[] Words)
{
    static readonly string[] ShellLanguages = ["bash", "sh", "shell", "console"];

    /// <summary>The command as one line (continuations joined, comment left out), as the rules name it.</summary>
    public string Text => string.Join(' ', Words.Select(word => word.Any(char.IsWhiteSpace) ? $"\"{word}\"" : word));

    /// <summary>
    /// Every command in the shell code blocks (```bash, ```sh, ```shell, ```console) of a Markdown text, in order: a line
    /// ending in <c>\</c> continues on the next; blank lines and comments are skipped. Other blocks (program output, a
    /// folder layout) hold no commands.
    /// </summary>
    public static IReadOnlyList<ReadmeCommandLine> Parse(string markdown)
    {
        var commands = new List<ReadmeCommandLine>();
        var lines = markdown.Split('\n').Select(line => line.TrimEnd('\r')).ToArray();
        bool inShellBlock = false, inOtherBlock = false;
        for (int i = 0; i < lines.Length; i++)
        {
            var trimmed = lines[i].Trim();
            if (trimmed.StartsWith("```", StringComparison.Ordinal))
            {
                if (inShellBlock || inOtherBlock) inShellBlock = inOtherBlock = false;
                else if (ShellLanguages.Contains(trimmed[3..].Trim())) inShellBlock = true;
                else inOtherBlock = true;
                continue;
            }
            if (!inShellBlock) continue;
            int start = i;
            var text = lines[i];
            while (text.TrimEnd().EndsWith('\\') && i + 1 < lines.Length)
                text = text.TrimEnd()[..^1] + " " + lines[++i].Trim();
            var words = ShellWords.Split(text);
            if (words.Length > 0) commands.Add(new ReadmeCommandLine(start + 1, words));
        }
        return commands;
    }
}
