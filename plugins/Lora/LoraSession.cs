using System.Globalization;
using System.Text.Json;
using DiffusionTune.Contracts;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Trainers.Lora;

/// <summary>One LoRA run: the adapters, their loss, and the kohya file they are saved as.</summary>
sealed class LoraSession : ITrainingSession
{
    readonly ITrainingContext _context;
    readonly List<LoraLayer> _unetLayers = [];
    readonly List<LoraLayer> _textLayers = [];
    readonly double _priorWeight;

    public LoraSession(ITrainingContext context)
    {
        _context = context;
        var options = context.Options;
        int rank = options.Int("rank");
        double alpha = options.Number("alpha");
        double dropout = options.Number("dropout");
        _priorWeight = options.Number("image_free_prior_weight");
        if (_priorWeight > 0 && context.Concept.ClassPrompt is null)
            throw new ArgumentException("image_free_prior_weight needs an instance prompt with an identifier and a class noun (e.g. \"a sks star\")");

        foreach (var (name, module) in LoraTargets.Unet(context.Model.Unet, options.Text("targets")!))
            _unetLayers.Add(new LoraLayer(name, module, rank, alpha, dropout, context.ComputeDtype, context.Device));
        if (options.Bool("train_text_encoder"))
        {
            foreach (var (name, module) in LoraTargets.TextEncoder(context.Model.TextEncoder))
                _textLayers.Add(new LoraLayer(name, module, rank, alpha, dropout, context.ComputeDtype, context.Device));
        }
        if (_unetLayers.Count == 0) throw new ArgumentException("the model has no layers LoRA can adapt");
        context.Log.Info($"LoRA rank {rank}, alpha {alpha}: {_unetLayers.Count} UNet layers" + (_textLayers.Count > 0 ? $", {_textLayers.Count} text-encoder layers" : ""));

        Parameters =
        [
            new ParameterGroup("unet", Named(_unetLayers, "lora_unet")),
            .. _textLayers.Count > 0 ? [new ParameterGroup("text_encoder", Named(_textLayers, "lora_te"), options.Number("text_encoder_lr_ratio"))] : Array.Empty<ParameterGroup>(),
        ];
    }

    public IReadOnlyList<ParameterGroup> Parameters { get; }

    static List<(string, Parameter)> Named(List<LoraLayer> layers, string prefix) =>
        layers.SelectMany(layer => new[]
        {
            ($"{LoraTargets.KohyaName(prefix, layer.ModuleName)}.lora_down.weight", layer.Down),
            ($"{LoraTargets.KohyaName(prefix, layer.ModuleName)}.lora_up.weight", layer.Up),
        }).ToList();

    public Tensor Loss(TrainingBatch batch, ITrainingStep step)
    {
        var loss = DenoisingObjective.Loss(_context, batch, step, out var noised);
        if (_priorWeight == 0) return loss;
        var model = _context.Model;

        // Class-token regularisation without images: with the identifier removed, the adapted model must predict
        // what the base model predicts, so the class itself does not drift.
        var classPrompts = batch.Prompts.Select(_context.Concept.WithoutIdentifier).ToList();
        var input = noised.Noisy.to(_context.ComputeDtype);
        Tensor target;
        using (no_grad())
        {
            SetEnabled(false);
            try
            {
                target = model.Unet.call(input, noised.Timesteps, model.EncodePrompts(classPrompts)).to(ScalarType.Float32);
            }
            finally
            {
                SetEnabled(true);
            }
        }
        var adapted = model.Unet.call(input, noised.Timesteps, model.EncodePrompts(classPrompts)).to(ScalarType.Float32);
        return loss + _priorWeight * (adapted - target).square().mean();
    }

    void SetEnabled(bool enabled)
    {
        foreach (var layer in _unetLayers.Concat(_textLayers)) layer.Enabled = enabled;
    }

    public IReadOnlyList<SavedFile> Save(ISaveContext save)
    {
        var tensors = new Dictionary<string, Tensor>();
        foreach (var group in Parameters)
        {
            foreach (var (name, parameter) in group.Parameters)
                tensors[name] = parameter.detach().to(ScalarType.Float32, copy: true);
        }
        foreach (var layer in _unetLayers)
            tensors[$"{LoraTargets.KohyaName("lora_unet", layer.ModuleName)}.alpha"] = tensor((float)layer.Alpha);
        foreach (var layer in _textLayers)
            tensors[$"{LoraTargets.KohyaName("lora_te", layer.ModuleName)}.alpha"] = tensor((float)layer.Alpha);

        var options = _context.Options;
        var metadata = new Dictionary<string, string>(save.Metadata)
        {
            ["ss_network_module"] = "networks.lora",
            ["ss_network_dim"] = options.Int("rank").ToString(CultureInfo.InvariantCulture),
            ["ss_network_alpha"] = options.Number("alpha").ToString(CultureInfo.InvariantCulture),
            ["ss_network_dropout"] = options.Number("dropout").ToString(CultureInfo.InvariantCulture),
            ["ss_network_args"] = JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["targets"] = options.Text("targets")!,
                ["conv_dim"] = options.Text("targets") == LoraTargets.All ? options.Int("rank").ToString(CultureInfo.InvariantCulture) : "0",
            }),
            ["ss_v2"] = _context.Model.IsStableDiffusion2 ? "True" : "False",
            ["ss_base_model_version"] = _context.Model.IsStableDiffusion2 ? "sd_v2" : "sd_v1",
            ["ss_sd_model_name"] = _context.Model.Name,
            ["ss_new_sd_model_hash"] = _context.Model.ShortHash,
            ["ss_output_name"] = save.FileStem,
            ["ss_steps"] = save.Step.ToString(CultureInfo.InvariantCulture),
            ["ss_epoch"] = Math.Floor(save.Epoch).ToString(CultureInfo.InvariantCulture),
            ["ss_training_finished_at"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            ["modelspec.architecture"] = _context.Model.IsStableDiffusion2 ? "stable-diffusion-v2/lora" : "stable-diffusion-v1/lora",
            ["modelspec.title"] = save.FileStem,
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
        foreach (var layer in _unetLayers.Concat(_textLayers)) layer.Dispose();
    }
}
