using System.Globalization;
using DiffusionTune.Training.Engine;
using YamlDotNet.RepresentationModel;

namespace DiffusionTune.Workflows.Settings;

/// <summary>
/// A setting of one value: a number (int, ulong, double, optionally null), a flag, free text or one of a few choices.
/// </summary>
public sealed class ScalarSetting<T> : TrainSetting<T>
{
    readonly Func<T, string?>? _check;

    internal ScalarSetting(string name, string description, T defaultValue, Func<T, string?>? check = null,
        string[]? aliases = null, IReadOnlyList<string>? choices = null)
        : base(name, description, aliases ?? [], null, defaultValue)
    {
        _check = check;
        Choices = choices ?? [];
    }

    /// <summary>The allowed values of a choice setting (compared ignoring case); empty for other settings.</summary>
    public IReadOnlyList<string> Choices { get; }

    public override TResult Accept<TResult>(ITrainSettingVisitor<TResult> visitor) => visitor.Scalar(this);

    /// <summary>The value a user typed (a choice in its canonical spelling).</summary>
    public object? FromInput(T value) => Normalize(value);

    public override object? ReadPreset(YamlNode node, string file)
    {
        var type = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        bool nullable = !typeof(T).IsValueType || type != typeof(T);
        if (IsNull(node))
            return nullable ? null : throw new SettingValueException($"needs a value ({Expected(type)})");
        var text = Scalar(node, Expected(type));
        object? value = type switch
        {
            _ when type == typeof(int) => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i : null,
            _ when type == typeof(ulong) => ulong.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var u) ? u : null,
            _ when type == typeof(double) => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? d : null,
            _ when type == typeof(bool) => bool.TryParse(text, out var b) ? b : null,
            _ => text,
        };
        return value is null ? throw new SettingValueException($"expected {Expected(type)}, not '{text}'") : Normalize((T)value);
    }

    public override string? Problem(object? value)
    {
        if (Choices.Count > 0 && value is string text && !Choices.Contains(text, StringComparer.OrdinalIgnoreCase))
            return $"must be one of {string.Join(", ", Choices)}, not '{text}'{NameSuggestions.Hint(text, Choices)}";
        return _check?.Invoke((T)value!);
    }

    /// <summary>Choices are kept in their canonical spelling, whatever case the user typed.</summary>
    object? Normalize(T value) =>
        Choices.Count > 0 && value is string text ? Choices.FirstOrDefault(c => c.Equals(text, StringComparison.OrdinalIgnoreCase)) ?? text : value;

    string Expected(Type type) => Choices.Count > 0 ? $"one of {string.Join(", ", Choices)}"
        : type == typeof(int) || type == typeof(ulong) ? "a whole number"
        : type == typeof(double) ? "a number"
        : type == typeof(bool) ? "true or false"
        : "text";
}
