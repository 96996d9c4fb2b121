using System.Globalization;

namespace DiffusionTune.Contracts;

/// <summary>The validated values of a trainer's options (defaults filled in), read by name and type.</summary>
public sealed class TrainerOptionValues(IReadOnlyDictionary<string, object?> values)
{
    /// <summary>Every option value by name.</summary>
    public IReadOnlyDictionary<string, object?> All => values;

    /// <summary>An Integer option.</summary>
    public int Int(string name) => Convert.ToInt32(Get(name), CultureInfo.InvariantCulture);

    /// <summary>A Number option.</summary>
    public double Number(string name) => Convert.ToDouble(Get(name), CultureInfo.InvariantCulture);

    /// <summary>A Boolean option.</summary>
    public bool Bool(string name) => (bool)Get(name)!;

    /// <summary>A Text or Choice option (null when it has no value).</summary>
    public string? Text(string name) => Get(name)?.ToString();

    object? Get(string name) =>
        values.TryGetValue(name, out var value) ? value : throw new KeyNotFoundException($"no option named '{name}' was declared");
}
