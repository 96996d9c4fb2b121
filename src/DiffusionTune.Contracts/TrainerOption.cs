using System.Globalization;

namespace DiffusionTune.Contracts;

/// <summary>The kind of value an option takes.</summary>
public enum TrainerOptionKind
{
    /// <summary>A whole number.</summary>
    Integer,

    /// <summary>A real number.</summary>
    Number,

    /// <summary>true or false.</summary>
    Boolean,

    /// <summary>Free text.</summary>
    Text,

    /// <summary>One of <see cref="TrainerOption.Choices"/>.</summary>
    Choice,
}

/// <summary>
/// One option a trainer accepts: its name (lower-case, underscores), kind, default, allowed range or choices, and help
/// text. The host validates every value against this before the trainer sees it.
/// </summary>
public sealed record TrainerOption(string Name, TrainerOptionKind Kind, object? Default, string Help)
{
    /// <summary>Smallest allowed value (Integer and Number), inclusive.</summary>
    public double? Minimum { get; init; }

    /// <summary>Largest allowed value (Integer and Number), inclusive.</summary>
    public double? Maximum { get; init; }

    /// <summary>Allowed values of a <see cref="TrainerOptionKind.Choice"/> option.</summary>
    public IReadOnlyList<string> Choices { get; init; } = [];

    /// <summary>Parses and checks <paramref name="text"/>; throws <see cref="ArgumentException"/> saying what is wrong.</summary>
    public object Parse(string text)
    {
        object value = Kind switch
        {
            TrainerOptionKind.Integer => long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i : throw Invalid(text, "a whole number"),
            TrainerOptionKind.Number => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? d : throw Invalid(text, "a number"),
            TrainerOptionKind.Boolean => bool.TryParse(text, out var b) ? b : throw Invalid(text, "true or false"),
            TrainerOptionKind.Choice => Choices.FirstOrDefault(c => string.Equals(c, text, StringComparison.OrdinalIgnoreCase)) ?? throw Invalid(text, $"one of {string.Join(", ", Choices)}"),
            _ => text,
        };
        Check(value);
        return value;
    }

    /// <summary>Checks a value of the right kind against the range; throws <see cref="ArgumentException"/> when out of range.</summary>
    public void Check(object value)
    {
        if (Kind is not (TrainerOptionKind.Integer or TrainerOptionKind.Number)) return;
        double number = Convert.ToDouble(value, CultureInfo.InvariantCulture);
        if (Minimum is double min && number < min || Maximum is double max && number > max)
            throw new ArgumentException($"option '{Name}' is {number.ToString(CultureInfo.InvariantCulture)}, outside its range {Range}");
    }

    /// <summary>The allowed range as text, e.g. "[1, 128]".</summary>
    public string Range => $"[{Minimum?.ToString(CultureInfo.InvariantCulture) ?? "-∞"}, {Maximum?.ToString(CultureInfo.InvariantCulture) ?? "∞"}]";

    ArgumentException Invalid(string text, string expected) => new($"option '{Name}' must be {expected}, not '{text}'");
}
