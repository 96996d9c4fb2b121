using System.Globalization;
using DiffusionTune.Models.Loading;

namespace DiffusionTune.Models.Configuration;

/// <summary>
/// What a weights file says one config field must be, read off its header: a dimension of one tensor, or how many
/// numbered modules it holds under a prefix. A config lists its evidence (<see cref="IModelConfig.WeightsEvidence"/>) so
/// that a config that does not fit its weights is refused by field before the model is built, instead of by a list of
/// mis-shaped tensors after. Where the file lacks the tensor, the evidence is silent: the missing-tensor check names it.
/// </summary>
/// <param name="Field">The field as <c>config.json</c> names it (<c>hidden_size</c>, <c>layers_per_block[1]</c>).</param>
/// <param name="Value">The field's value in the config.</param>
public abstract record FieldEvidence(string Field, long Value)
{
    /// <summary>How the weights disagree with the field, or null when they agree or have no say.</summary>
    public abstract string? Disagreement(TensorSource weights);

    /// <summary>The name of entry <paramref name="index"/> of a list field that has <paramref name="count"/> entries (a one-entry list stands for every level).</summary>
    public static string Entry(string field, int count, int index) => count == 1 ? field : $"{field}[{index}]";
}

/// <summary>The field is dimension <paramref name="Dimension"/> of tensor <paramref name="Tensor"/>.</summary>
public sealed record TensorDimension(string Field, long Value, string Tensor, int Dimension) : FieldEvidence(Field, Value)
{
    public override string? Disagreement(TensorSource weights)
    {
        if (!weights.Contains(Tensor)) return null;
        var shape = weights.ShapeOf(Tensor);
        return Dimension < shape.Length && shape[Dimension] != Value
            ? $"{Field} is {Value} but {Tensor} is [{string.Join(", ", shape)}]"
            : null;
    }
}

/// <summary>The field is how many numbered modules (<c>{Prefix}0.…</c>, <c>{Prefix}1.…</c>, …) the file holds.</summary>
public sealed record ModuleCount(string Field, long Value, string Prefix) : FieldEvidence(Field, Value)
{
    public override string? Disagreement(TensorSource weights)
    {
        var indices = new HashSet<long>();
        foreach (var name in weights.Names)
        {
            if (!name.StartsWith(Prefix, StringComparison.Ordinal)) continue;
            int dot = name.IndexOf('.', Prefix.Length);
            if (dot > Prefix.Length && long.TryParse(name.AsSpan(Prefix.Length, dot - Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var index)) indices.Add(index);
        }
        return indices.Count > 0 && indices.Count != Value
            ? $"{Field} is {Value} but the weights hold {indices.Count} {Prefix}N module(s)"
            : null;
    }
}
