using DiffusionTune.IO.Safetensors;
using static TorchSharp.torch;

namespace DiffusionTune.IO.Formats;

/// <summary>One target tensor of a layout conversion: its name, the source tensor(s) it is made from, and how.</summary>
public sealed record TensorRecipe
{
    public TensorRecipe(string target, IReadOnlyList<string> sources, TensorTransform transform)
    {
        if (!transform.AcceptsSourceCount(sources.Count))
            throw new ArgumentException($"'{target}': {transform} cannot take {sources.Count} source(s)", nameof(sources));
        Target = target;
        Sources = sources;
        Transform = transform;
    }

    public TensorRecipe(string target, string source, TensorTransform transform) : this(target, [source], transform) { }

    public string Target { get; }

    public IReadOnlyList<string> Sources { get; }

    public TensorTransform Transform { get; }

    public bool Equals(TensorRecipe? other) =>
        other is not null && Target == other.Target && Sources.SequenceEqual(other.Sources) && Transform == other.Transform;

    public override int GetHashCode() => HashCode.Combine(Target, Transform);

    public override string ToString() => $"{Target} <- {string.Join(" + ", Sources)} ({Transform})";
}

/// <summary>
/// The tensors of one component in a target layout, each described by a <see cref="TensorRecipe"/>. Nothing is read
/// until the plan is applied, and then tensor by tensor: a loader can stream a multi-GB memory-mapped checkpoint into
/// a model holding at most one recipe's sources and result at a time.
/// </summary>
public sealed class TensorPlan
{
    readonly Dictionary<string, TensorRecipe> _byTarget;

    public TensorPlan(IEnumerable<TensorRecipe> recipes)
    {
        Recipes = [.. recipes];
        _byTarget = new Dictionary<string, TensorRecipe>(Recipes.Count);
        foreach (var recipe in Recipes)
        {
            if (!_byTarget.TryAdd(recipe.Target, recipe))
                throw new ArgumentException($"two recipes make '{recipe.Target}'", nameof(recipes));
        }
    }

    /// <summary>Recipes in the order the conversion found their sources.</summary>
    public IReadOnlyList<TensorRecipe> Recipes { get; }

    public int Count => Recipes.Count;

    public IEnumerable<string> Targets => Recipes.Select(r => r.Target);

    public TensorRecipe? Find(string target) => _byTarget.GetValueOrDefault(target);

    /// <summary>The shape every target will have, given the sources' shapes; throws <see cref="InvalidDataException"/> naming the first recipe that cannot work.</summary>
    public Dictionary<string, long[]> TargetShapes(Func<string, long[]> sourceShape)
    {
        var shapes = new Dictionary<string, long[]>(Recipes.Count);
        foreach (var recipe in Recipes)
        {
            try
            {
                shapes[recipe.Target] = recipe.Transform.TargetShape([.. recipe.Sources.Select(sourceShape)]);
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException(Describe(recipe, e), e);
            }
        }
        return shapes;
    }

    /// <summary>Checks the plan against <paramref name="file"/>'s header without reading tensor data.</summary>
    public Dictionary<string, long[]> TargetShapes(SafetensorsFile file)
    {
        try
        {
            return TargetShapes(name => file.Entry(name).Shape);
        }
        catch (InvalidDataException e)
        {
            throw new ModelFileException(file.FilePath, e.Message, e);
        }
    }

    /// <summary>
    /// Produces the targets one at a time. <paramref name="loadSource"/> must return a tensor the plan may dispose
    /// (a fresh handle); every yielded tensor belongs to the caller.
    /// </summary>
    public IEnumerable<KeyValuePair<string, Tensor>> Stream(Func<string, Tensor> loadSource)
    {
        foreach (var recipe in Recipes)
            yield return new(recipe.Target, Produce(recipe, loadSource, path: null));
    }

    /// <summary>Streams the targets out of a memory-mapped safetensors file; problems are reported against the file.</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> Stream(SafetensorsFile file)
    {
        foreach (var recipe in Recipes)
            yield return new(recipe.Target, Produce(recipe, file.Load, file.FilePath));
    }

    /// <summary>Streams the targets from tensors in memory; the sources stay the caller's (identity targets are new handles to the same storage).</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> Stream(IReadOnlyDictionary<string, Tensor> sources) =>
        Stream(name => sources.TryGetValue(name, out var tensor) ? tensor.alias() : throw new KeyNotFoundException($"no source tensor named '{name}'"));

    /// <summary>Produces one target out of <paramref name="file"/> (the caller disposes it).</summary>
    public Tensor Load(string target, SafetensorsFile file) =>
        Produce(Find(target) ?? throw new KeyNotFoundException($"the plan has no target named '{target}'"), file.Load, file.FilePath);

    /// <summary>Reads every target out of <paramref name="file"/> into a dictionary (the caller disposes the tensors).</summary>
    public Dictionary<string, Tensor> Load(SafetensorsFile file) => Stream(file).ToDictionary();

    /// <summary>Computes every target from tensors in memory (the caller disposes the results; the sources are left alone).</summary>
    public Dictionary<string, Tensor> Load(IReadOnlyDictionary<string, Tensor> sources) => Stream(sources).ToDictionary();

    static Tensor Produce(TensorRecipe recipe, Func<string, Tensor> loadSource, string? path)
    {
        var sources = new List<Tensor>(recipe.Sources.Count);
        Tensor? result = null;
        try
        {
            foreach (var name in recipe.Sources)
                sources.Add(loadSource(name));
            result = recipe.Transform.Apply(sources);
            return result;
        }
        catch (InvalidDataException e) when (path is not null)
        {
            throw new ModelFileException(path, Describe(recipe, e), e);
        }
        finally
        {
            foreach (var source in sources)
            {
                if (!ReferenceEquals(source, result)) source.Dispose();
            }
        }
    }

    static string Describe(TensorRecipe recipe, InvalidDataException e) =>
        $"cannot make '{recipe.Target}' from '{string.Join("', '", recipe.Sources)}' ({recipe.Transform}): {e.Message}";
}
