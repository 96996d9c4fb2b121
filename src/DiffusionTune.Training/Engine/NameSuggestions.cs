namespace DiffusionTune.Training.Engine;

/// <summary>"Did you mean …?" for mistyped option names: the closest known name by edit distance, if close enough.</summary>
public static class NameSuggestions
{
    public static string? Closest(string typed, IEnumerable<string> known)
    {
        var best = known.Select(name => (Name: name, Distance: Distance(typed.ToLowerInvariant(), name.ToLowerInvariant())))
            .OrderBy(c => c.Distance).ThenBy(c => c.Name, StringComparer.Ordinal).FirstOrDefault();
        return best.Name is not null && best.Distance <= Math.Max(2, typed.Length / 3) ? best.Name : null;
    }

    /// <summary>" (did you mean 'x'?)" or "".</summary>
    public static string Hint(string typed, IEnumerable<string> known) =>
        Closest(typed, known) is { } suggestion ? $" (did you mean '{suggestion}'?)" : "";

    static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        var current = new int[b.Length + 1];
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
