using DiffusionTune.Contracts;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace BiasDeltaTrainer;

/// <summary>
/// Trains the UNet's biases only (BitFit) and saves how far each moved as a small adapter file of
/// <see cref="BiasDeltaFormat"/>, instead of a whole model.
/// </summary>
public sealed class BiasDeltaTrainer : ITrainer
{
    /// <inheritdoc/>
    public TrainerInfo Info { get; } = new("bias-delta", "trains the UNet's biases and saves their change as an adapter", new Version(1, 0), [])
    {
        Produces = "bias-delta adapter (.safetensors)",
    };

    /// <inheritdoc/>
    public ITrainingSession Begin(ITrainingContext context) => new Session(context);

    sealed class Session : ITrainingSession
    {
        readonly ITrainingContext _context;
        readonly List<(string Name, Parameter Bias, Tensor Start)> _biases;

        public Session(ITrainingContext context)
        {
            _context = context;
            _biases = [.. context.Model.Unet.named_parameters().Where(p => p.name.EndsWith(".bias", StringComparison.Ordinal))
                .Select(p => (p.name, p.parameter, p.parameter.detach().clone()))];
            foreach (var (_, bias, _) in _biases) bias.requires_grad = true;
            Parameters = [new ParameterGroup("unet_biases", [.. _biases.Select(b => (BiasDeltaFormat.UnetPrefix + b.Name, b.Bias))])];
        }

        public IReadOnlyList<ParameterGroup> Parameters { get; }

        public Tensor Loss(TrainingBatch batch, ITrainingStep step) => DenoisingObjective.Loss(_context, batch, step, out _);

        public IReadOnlyList<SavedFile> Save(ISaveContext save)
        {
            using var scope = NewDisposeScope();
            var deltas = _biases.ToDictionary(b => BiasDeltaFormat.UnetPrefix + b.Name, b => (b.Bias.detach() - b.Start).to(float32).cpu());
            var metadata = new Dictionary<string, string>(save.Metadata) { [IAdapterFormat.MetadataKey] = BiasDeltaFormat.FormatName };
            return [save.WriteSafetensors(save.FileStem + ".safetensors", deltas, metadata, "bias-delta adapter") with { Kind = SavedFileKind.Adapter }];
        }

        public void Dispose()
        {
            foreach (var (_, _, start) in _biases) start.Dispose();
        }
    }
}
