using System.Globalization;
using DiffusionTune.Contracts;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Examples.Dora;

/// <summary>One DoRA run over the UNet's self- and cross-attention projections.</summary>
sealed class DoraSession : ITrainingSession
{
    readonly ITrainingContext _context;
    readonly List<DoraLayer> _layers = [];

    public DoraSession(ITrainingContext context)
    {
        _context = context;
        int rank = context.Options.Int("rank");
        double alpha = context.Options.Number("alpha");
        foreach (var (name, module) in context.Model.Unet.named_modules())
        {
            if (module is Linear linear && (name.Contains(".attn1.") || name.Contains(".attn2.")) && name.Contains(".to_"))
                _layers.Add(new DoraLayer(name, linear, rank, alpha, context.ComputeDtype));
        }
        if (_layers.Count == 0) throw new ArgumentException("the UNet has no attention projections to adapt");
        context.Log.Info($"DoRA rank {rank} on {_layers.Count} attention projections");
        Parameters =
        [
            new ParameterGroup("dora", _layers.SelectMany(layer => new[]
            {
                ($"{KohyaName(layer)}.lora_down.weight", layer.Down),
                ($"{KohyaName(layer)}.lora_up.weight", layer.Up),
                ($"{KohyaName(layer)}.dora_scale", layer.Magnitude),
            }).ToList()),
        ];
    }

    static string KohyaName(DoraLayer layer) => "lora_unet_" + layer.ModuleName.Replace('.', '_');

    public IReadOnlyList<ParameterGroup> Parameters { get; }

    public Tensor Loss(TrainingBatch batch, ITrainingStep step) => DenoisingObjective.Loss(_context, batch, step, out _);

    public IReadOnlyList<SavedFile> Save(ISaveContext save)
    {
        var tensors = new Dictionary<string, Tensor>();
        foreach (var (name, parameter) in Parameters[0].Parameters)
            tensors[name] = parameter.detach().to(ScalarType.Float32, copy: true);
        foreach (var layer in _layers)
            tensors[$"{KohyaName(layer)}.alpha"] = tensor((float)layer.Alpha);
        var metadata = new Dictionary<string, string>(save.Metadata)
        {
            ["ss_network_module"] = "lycoris.kohya",
            ["ss_network_dim"] = _context.Options.Int("rank").ToString(CultureInfo.InvariantCulture),
            ["ss_network_alpha"] = _context.Options.Number("alpha").ToString(CultureInfo.InvariantCulture),
            ["ss_network_args"] = """{"algo": "lora", "dora_wd": "True", "wd_on_output": "True"}""",
            ["ss_v2"] = _context.Model.IsStableDiffusion2 ? "True" : "False",
            ["ss_base_model_version"] = _context.Model.IsStableDiffusion2 ? "sd_v2" : "sd_v1",
            ["ss_output_name"] = save.FileStem,
            ["ss_steps"] = save.Step.ToString(CultureInfo.InvariantCulture),
        };
        try
        {
            return [save.WriteSafetensors(save.FileStem + ".safetensors", tensors, metadata, "LyCORIS DoRA") with { Kind = SavedFileKind.Lora }];
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    public void Dispose()
    {
        foreach (var layer in _layers) layer.Dispose();
    }
}
