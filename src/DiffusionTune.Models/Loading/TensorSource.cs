using DiffusionTune.IO.Formats;
using DiffusionTune.IO.Safetensors;
using static TorchSharp.torch;

namespace DiffusionTune.Models.Loading;

/// <summary>
/// Named tensors that can be read one at a time: what a weights file offers to a model. Shapes are known
/// up front so they can be checked before anything is read; <see cref="Load"/> creates a new CPU tensor.
/// </summary>
public sealed class TensorSource
{
    readonly Dictionary<string, (long[] Shape, Func<Tensor> Load)> _tensors;

    public TensorSource(string origin, IEnumerable<(string Name, long[] Shape, Func<Tensor> Load)> tensors)
    {
        Origin = origin;
        _tensors = new Dictionary<string, (long[], Func<Tensor>)>();
        foreach (var (name, shape, load) in tensors)
        {
            if (!_tensors.TryAdd(name, (shape, load)))
                throw new ArgumentException($"{origin}: tensor '{name}' is given twice");
        }
    }

    /// <summary>The file (or files) the tensors come from, for messages.</summary>
    public string Origin { get; }

    public IEnumerable<string> Names => _tensors.Keys;

    public int Count => _tensors.Count;

    public bool Contains(string name) => _tensors.ContainsKey(name);

    public long[] ShapeOf(string name) => _tensors[name].Shape;

    public Tensor Load(string name) => _tensors[name].Load();

    public static TensorSource FromSafetensors(SafetensorsFile file) =>
        new(file.FilePath, file.Entries.Select(e => (e.Name, e.Shape, (Func<Tensor>)(() => file.Load(e)))));

    /// <summary>The targets of a conversion plan (renames, reshapes, splits) over a memory-mapped file, produced on demand.</summary>
    public static TensorSource FromPlan(TensorPlan plan, SafetensorsFile file)
    {
        var shapes = plan.TargetShapes(file);
        return new(file.FilePath, plan.Targets.Select(t => (t, shapes[t], (Func<Tensor>)(() => plan.Load(t, file)))));
    }

    public static TensorSource FromTensors(string origin, IReadOnlyDictionary<string, Tensor> tensors) =>
        new(origin, tensors.Select(t => (t.Key, t.Value.shape, (Func<Tensor>)(() => t.Value.detach().clone()))));
}
