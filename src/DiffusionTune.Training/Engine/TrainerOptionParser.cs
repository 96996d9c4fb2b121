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
            if (!declared.TryGetValue(name, out var option))
                throw new ArgumentException($"trainer '{trainer.Name}' has no option '{name}'{NameSuggestions.Hint(name, declared.Keys)}; its options are {string.Join(", ", declared.Keys)}");
            values[option.Name] = option.Parse(text);
        }
        return new TrainerOptionValues(values);
    }
}
