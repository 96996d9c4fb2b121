using System.Globalization;
using DiffusionTune.Contracts;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Trainers.Hypernetwork;

/// <summary>
/// One hypernetwork run: a K and a V module per chosen context width, applied by forward pre-hooks on the UNet's
/// attention projections (to_k and to_v of self- and cross-attention alike; the width of the context picks the module,
/// as in A1111). Saved as <c>{width}.{k|v}.linear.{i}.{weight|bias}</c> with A1111's design keys in the metadata.
/// </summary>
sealed class HypernetworkSession : ITrainingSession
{
    readonly ITrainingContext _context;
    readonly HypernetworkDesign _design;
    readonly SortedDictionary<int, (HypernetworkMlp Key, HypernetworkMlp Value)> _modules = [];
    readonly List<Action> _removeHooks = [];

    public HypernetworkSession(ITrainingContext context)
    {
        _context = context;
        var options = context.Options;
        _design = HypernetworkDesign.Parse(options.Text("layer_structure")!, options.Text("activation")!, options.Bool("layer_norm"),
            options.Text("dropout_structure"), options.Bool("activate_output"), options.Text("init")!);

        var projections = context.Model.Unet.named_modules()
            .Where(m => m.module is Linear && (m.name.EndsWith(".to_k", StringComparison.Ordinal) || m.name.EndsWith(".to_v", StringComparison.Ordinal)))
            .Select(m => (IsKey: m.name.EndsWith(".to_k", StringComparison.Ordinal), Layer: (Linear)m.module))
            .ToList();
        var widths = projections.Select(p => (int)p.Layer.weight!.shape[1]).Distinct().Order().ToList();
        if (widths.Count == 0) throw new ArgumentException("the UNet has no attention key/value projections to hook");
        foreach (int width in Sizes(options.Text("sizes"), widths))
        {
            _modules[width] = (new HypernetworkMlp(_design, width, context.ComputeDtype, context.Device),
                new HypernetworkMlp(_design, width, context.ComputeDtype, context.Device));
        }

        foreach (var (isKey, layer) in projections)
        {
            if (!_modules.TryGetValue((int)layer.weight!.shape[1], out var pair)) continue;
            var module = isKey ? pair.Key : pair.Value;
            var hook = layer.register_forward_pre_hook((self, context) => module.Apply(context, self.training));
            _removeHooks.Add(hook.remove);
        }

        Parameters = [new ParameterGroup("hypernetwork", _modules.SelectMany(m =>
            m.Value.Key.NamedParameters.Select(p => ($"hypernetwork.{m.Key}.k.{p.Name}", p.Parameter))
                .Concat(m.Value.Value.NamedParameters.Select(p => ($"hypernetwork.{m.Key}.v.{p.Name}", p.Parameter)))).ToList())];
        context.Log.Info($"hypernetwork [{string.Join(", ", _design.LayerStructure)}] {_design.Activation}: modules for context widths {string.Join(", ", _modules.Keys)} on {_removeHooks.Count} projections");
    }

    static IEnumerable<int> Sizes(string? option, List<int> widths)
    {
        if (option is null) return widths;
        var sizes = option.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(text => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var size) ? size : throw new ArgumentException($"sizes '{option}' is not a list of widths"))
            .Distinct()
            .ToList();
        var missing = sizes.Where(size => !widths.Contains(size)).ToList();
        if (sizes.Count == 0 || missing.Count > 0)
            throw new ArgumentException($"no attention layer of this model takes a context of width {string.Join(", ", missing.DefaultIfEmpty(0))}; its widths are {string.Join(", ", widths)}");
        return sizes;
    }

    public IReadOnlyList<ParameterGroup> Parameters { get; }

    public Tensor Loss(TrainingBatch batch, ITrainingStep step) => DenoisingObjective.Loss(_context, batch, step, out _);

    public IReadOnlyList<SavedFile> Save(ISaveContext save)
    {
        var tensors = new Dictionary<string, Tensor>();
        foreach (var (width, (key, value)) in _modules)
        {
            foreach (var (name, parameter) in key.NamedParameters) tensors[$"{width}.k.{name}"] = parameter.detach().to(ScalarType.Float32, copy: true);
            foreach (var (name, parameter) in value.NamedParameters) tensors[$"{width}.v.{name}"] = parameter.detach().to(ScalarType.Float32, copy: true);
        }
        var model = _context.Model;
        var metadata = new Dictionary<string, string>(save.Metadata)
        {
            ["name"] = save.FileStem,
            ["step"] = save.Step.ToString(CultureInfo.InvariantCulture),
            ["sd_checkpoint"] = model.ShortHash,
            ["sd_checkpoint_name"] = model.Name,
            ["modelspec.architecture"] = model.IsStableDiffusion2 ? "stable-diffusion-v2/hypernetwork" : "stable-diffusion-v1/hypernetwork",
            ["modelspec.title"] = save.FileStem,
        };
        foreach (var (key, value) in _design.Metadata()) metadata[key] = value;
        try
        {
            return [save.WriteSafetensors(save.FileStem + ".safetensors", tensors, metadata, "hypernetwork") with { Kind = SavedFileKind.Hypernetwork }];
        }
        finally
        {
            foreach (var tensor in tensors.Values) tensor.Dispose();
        }
    }

    public void Dispose()
    {
        foreach (var remove in _removeHooks) remove();
        foreach (var (key, value) in _modules.Values)
        {
            key.Dispose();
            value.Dispose();
        }
    }
}
