namespace DiffusionTune.Models.Configuration;

/// <summary>
/// The sane range (inclusive) of one numeric config field, named as in <c>config.json</c>. Each config keeps its ranges
/// in one table, generous around every public Stable Diffusion release and tight enough that no value can make a model
/// negative-sized, absurdly large, or non-finite before a single tensor is allocated.
/// </summary>
/// <param name="Values">The field's value(s): one for a scalar, one per entry for a list, none for an unset optional field.</param>
public sealed record FieldRange<TConfig>(string Field, double Min, double Max, Func<TConfig, IReadOnlyList<double>> Values)
{
    /// <summary>A scalar field (an optional one is checked only when set).</summary>
    public static FieldRange<TConfig> Scalar(string field, double min, double max, Func<TConfig, double?> value) =>
        new(field, min, max, config => value(config) is double v ? [v] : []);

    /// <summary>A list field, or one diffusers allows as a scalar or a list (an optional one is checked only when set).</summary>
    public static FieldRange<TConfig> List(string field, double min, double max, Func<TConfig, IEnumerable<int>?> values) =>
        new(field, min, max, config => values(config)?.Select(v => (double)v).ToArray() ?? []);
}
