namespace DiffusionTune.IO.Formats;

/// <summary>
/// What a single-file conversion found: one <see cref="TensorPlan"/> per component, the source names it knowingly
/// leaves out (<see cref="Ignored"/>: EMA copies, schedule buffers, position ids, …) and the names it did not
/// recognise (<see cref="Unknown"/>). Whether unknown names are an error is the caller's decision.
/// </summary>
public sealed class CheckpointConversion
{
    internal CheckpointConversion(TensorPlan unet, TensorPlan vae, TensorPlan textEncoder, IReadOnlyList<string> ignored, IReadOnlyList<string> unknown)
    {
        UNet = unet;
        Vae = vae;
        TextEncoder = textEncoder;
        Ignored = ignored;
        Unknown = unknown;
    }

    public TensorPlan UNet { get; }

    public TensorPlan Vae { get; }

    public TensorPlan TextEncoder { get; }

    /// <summary>Source names deliberately not converted.</summary>
    public IReadOnlyList<string> Ignored { get; }

    /// <summary>Source names no rule recognised, or that would make a target another source already makes.</summary>
    public IReadOnlyList<string> Unknown { get; }

    public TensorPlan this[ModelComponent component] => component switch
    {
        ModelComponent.UNet => UNet,
        ModelComponent.Vae => Vae,
        ModelComponent.TextEncoder => TextEncoder,
        _ => throw new ArgumentOutOfRangeException(nameof(component), component, null),
    };
}

/// <summary>Gathers recipes and ignored/unknown names while a conversion walks the source names.</summary>
internal sealed class ConversionCollector
{
    readonly Dictionary<ModelComponent, List<TensorRecipe>> _recipes = new()
    {
        [ModelComponent.UNet] = [],
        [ModelComponent.Vae] = [],
        [ModelComponent.TextEncoder] = [],
    };
    readonly HashSet<(ModelComponent, string)> _targets = [];
    readonly List<string> _ignored = [];
    readonly List<string> _unknown = [];

    /// <summary>Adds a recipe; a second source for the same target is ambiguous, so its sources count as unknown.</summary>
    public void Map(ModelComponent component, TensorRecipe recipe)
    {
        if (_targets.Add((component, recipe.Target)))
            _recipes[component].Add(recipe);
        else
            _unknown.AddRange(recipe.Sources);
    }

    public void Ignore(string name) => _ignored.Add(name);

    public void Reject(string name) => _unknown.Add(name);

    public CheckpointConversion ToConversion() => new(
        new TensorPlan(_recipes[ModelComponent.UNet]),
        new TensorPlan(_recipes[ModelComponent.Vae]),
        new TensorPlan(_recipes[ModelComponent.TextEncoder]),
        [.. _ignored.Distinct()],
        [.. _unknown.Distinct()]);
}
