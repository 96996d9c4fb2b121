using DiffusionTune.Contracts;

namespace DiffusionTune.Training.Engine;

/// <summary>Turns the user's option text into a trainer's validated option values (defaults for the rest).</summary>
public static class TrainerOptionParser
{
    public static TrainerOptionValues Parse(TrainerInfo trainer, IReadOnlyDictionary<string, string> given)
    {
        var declared = trainer.Options.ToDictionary(o => o.Name, StringComparer.OrdinalIgnoreCase);
        var values = trainer.Options.ToDictionary(o => o.Name, o => o.Default);
        foreach (var (name, text) in given)
        {
            if (!declared.TryGetValue(name, out var option)) throw new ArgumentException(UnknownOption(trainer, name));
            values[option.Name] = option.Parse(text);
        }
        return new TrainerOptionValues(values);
    }

    /// <summary>
    /// What is wrong with giving <paramref name="trainer"/> the option <paramref name="name"/> as <paramref name="text"/>,
    /// or null when nothing is: lets a caller check every option at once, before a run, instead of stopping at the first.
    /// </summary>
    public static string? Problem(TrainerInfo trainer, string name, string text)
    {
        var option = trainer.Options.FirstOrDefault(o => o.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
        if (option is null) return UnknownOption(trainer, name);
        try
        {
            option.Parse(text);
            return null;
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
    }

    static string UnknownOption(TrainerInfo trainer, string name)
    {
        var declared = trainer.Options.Select(o => o.Name).ToList();
        return $"trainer '{trainer.Name}' has no option '{name}'{NameSuggestions.Hint(name, declared)}; its options are {string.Join(", ", declared)}";
    }
}
