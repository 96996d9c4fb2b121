using System.Globalization;

namespace DiffusionTune.Tests.Cli;

/// <summary>
/// An option the README test sets on an example to make it tiny: it replaces the option and its values where the
/// example gives it (under any of its names, first place kept), and is added at the end where it does not.
/// </summary>
sealed record OptionOverride(string[] Names, params string[] Values)
{
    public OptionOverride(string name, params string[] values) : this([name], values) { }

    public string[] ApplyTo(IReadOnlyList<string> arguments)
    {
        var result = new List<string>();
        bool placed = false;
        for (int i = 0; i < arguments.Count; i++)
        {
            bool inline = Names.Any(name => arguments[i].StartsWith(name + "=", StringComparison.Ordinal));
            if (!inline && !Names.Contains(arguments[i]))
            {
                result.Add(arguments[i]);
                continue;
            }
            // Skip the example's values: everything up to the next option.
            if (!inline)
                while (i + 1 < arguments.Count && !IsOption(arguments[i + 1])) i++;
            if (!placed) result.AddRange([Names[0], .. Values]);
            placed = true;
        }
        if (!placed) result.AddRange([Names[0], .. Values]);
        return [.. result];
    }

    public override string ToString() => string.Join(' ', [Names[0], .. Values]);

    static bool IsOption(string word) =>
        word.StartsWith('-') && word.Length > 1 && !double.TryParse(word, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
}
