using System.Globalization;
using DiffusionTune.Contracts;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MyTrainer;

/// <summary>
/// One run: a <see cref="LowRankUpdate"/> on every cross-attention key and value projection (<c>…attn2.to_k</c>,
/// <c>…attn2.to_v</c>), trained with the standard denoising loss and saved as a kohya LoRA.
/// </summary>
sealed class CrossAttentionLoraSession : ITrainingSession
{
    readonly ITrainingContext _context;
    readonly List<LowRankUpdate> _updates = [];

    public CrossAttentionLoraSession(ITrainingContext context)
    {
        _context = context;
        int rank = context.Options.Int("rank");
        foreach (var (name, module) in context.Model.Unet.named_modules())
        {
            if (module is Linear linear && (name.EndsWith(".attn2.to_k", StringComparison.Ordinal) || name.EndsWith(".attn2.to_v", StringComparison.Ordinal)))
                _updates.Add(new LowRankUpdate(name, linear, rank, context.ComputeDtype));
        }
        if (_updates.Count == 0) throw new ArgumentException("the UNet has no cross-attention projections (…attn2.to_k, …attn2.to_v)");
        context.Log.Info($"rank {rank} on {_updates.Count} cross-attention projections");
        // The engine checkpoints and restores parameters by these names: unique and stable, here the file's own keys.
        Parameters =
        [
            new ParameterGroup("unet", _updates.SelectMany(update => new[]
            {
                ($"{KohyaName(update)}.lora_down.weight", update.Down),
                ($"{KohyaName(update)}.lora_up.weight", update.Up),
            }).ToList()),
        ];
    }

    /// <summary>kohya's name for a UNet layer: <c>lora_unet_</c> and the diffusers module name with '_' for '.'.</summary>
    static string KohyaName(LowRankUpdate update) => "lora_unet_" + update.ModuleName.Replace('.', '_');

    public IReadOnlyList<ParameterGroup> Parameters { get; }

    public Tensor Loss(TrainingBatch batch, ITrainingStep step) => DenoisingObjective.Loss(_context, batch, step, out _);

    public IReadOnlyList<SavedFile> Save(ISaveContext save)
    {
        var tensors = new Dictionary<string, Tensor>();
        foreach (var (name, parameter) in Parameters[0].Parameters)
            tensors[name] = parameter.detach().to(ScalarType.Float32, copy: true);
        foreach (var update in _updates)
            tensors[$"{KohyaName(update)}.alpha"] = tensor((float)update.Rank);
        // The run's configuration travels with the result, so it can be reproduced from the file alone.
        var metadata = new Dictionary<string, string>(save.Metadata)
        {
            ["ss_network_module"] = "networks.lora",
            ["ss_network_dim"] = _context.Options.Int("rank").ToString(CultureInfo.InvariantCulture),
            ["ss_network_alpha"] = _context.Options.Int("rank").ToString(CultureInfo.InvariantCulture),
            ["ss_output_name"] = save.FileStem,
            ["ss_steps"] = save.Step.ToString(CultureInfo.InvariantCulture),
        };
        try
        {
            return [save.WriteSafetensors(save.FileStem + ".safetensors", tensors, metadata, "kohya LoRA") with { Kind = SavedFileKind.Lora }];
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    public void Dispose()
    {
        foreach (var update in _updates) update.Dispose();
    }
}
