using DiffusionTune.Contracts;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Trainers.DreamBooth;

/// <summary>One DreamBooth run: unfreezes the UNet (and text encoder), computes the loss, saves checkpoints.</summary>
sealed class DreamBoothSession : ITrainingSession
{
    readonly ITrainingContext _context;
    readonly double _priorWeight;
    readonly nn.Module<Tensor, Tensor, Tensor, Tensor>? _frozenBase;
    readonly IPromptEncoder? _frozenPromptEncoder;

    public DreamBoothSession(ITrainingContext context)
    {
        _context = context;
        var options = context.Options;
        _priorWeight = options.Number("image_free_prior_weight");
        if (_priorWeight > 0)
        {
            if (context.Concept.ClassPrompt is null)
                throw new ArgumentException("image_free_prior_weight needs an instance prompt with an identifier and a class noun (e.g. \"a sks star\")");
            _frozenBase = context.Model.FrozenUnetCopy();
            // The target is the base model's prediction: with a training text encoder, its conditioning must come from
            // the base encoder too, or the class words could drift unchecked.
            if (options.Bool("train_text_encoder")) _frozenPromptEncoder = context.Model.FrozenPromptEncoderCopy();
        }

        var groups = new List<ParameterGroup> { new("unet", Unfreeze(context.Model.Unet, "unet.")) };
        if (options.Bool("train_text_encoder"))
            groups.Add(new ParameterGroup("text_encoder", Unfreeze(context.Model.TextEncoder, "text_encoder."), options.Number("text_encoder_lr_ratio")));
        Parameters = groups;
        context.Log.Info($"DreamBooth: training {groups.Sum(g => g.Parameters.Sum(p => p.Parameter.numel())):N0} parameters");
    }

    static List<(string, Parameter)> Unfreeze(nn.Module module, string prefix)
    {
        var parameters = module.named_parameters().ToList();
        foreach (var (_, parameter) in parameters) parameter.requires_grad = true;
        return parameters.Select(p => (prefix + p.name, p.parameter)).ToList();
    }

    public IReadOnlyList<ParameterGroup> Parameters { get; }

    public Tensor Loss(TrainingBatch batch, ITrainingStep step)
    {
        var loss = DenoisingObjective.Loss(_context, batch, step, out var noised);
        if (_frozenBase is null) return loss;
        var model = _context.Model;
        var input = noised.Noisy.to(_context.ComputeDtype);

        var classPrompts = batch.Prompts.Select(_context.Concept.WithoutIdentifier).ToList();
        var classConditioning = model.EncodePrompts(classPrompts);
        Tensor target;
        using (no_grad())
        {
            var baseConditioning = _frozenPromptEncoder?.Encode(classPrompts) ?? classConditioning.detach();
            target = _frozenBase.call(input, noised.Timesteps, baseConditioning).to(ScalarType.Float32);
        }
        var tuned = model.Unet.call(input, noised.Timesteps, classConditioning).to(ScalarType.Float32);
        return loss + _priorWeight * (tuned - target).square().mean();
    }

    public IReadOnlyList<SavedFile> Save(ISaveContext save) => [save.WriteModel(save.FileStem)];

    public void Dispose()
    {
        _frozenBase?.Dispose();
        _frozenPromptEncoder?.Dispose();
    }
}
