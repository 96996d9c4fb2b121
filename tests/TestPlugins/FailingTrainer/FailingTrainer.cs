using DiffusionTune.Contracts;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FailingTrainer;

/// <summary>A trainer that throws in Begin, Loss or Save, as its <c>fail_in</c> option says.</summary>
public sealed class FailingTrainer : ITrainer
{
    /// <inheritdoc/>
    public TrainerInfo Info { get; } = new("failing", "throws where fail_in says", new Version(1, 0),
        [new TrainerOption("fail_in", TrainerOptionKind.Choice, "loss", "where to throw") { Choices = ["begin", "loss", "save"] }]);

    /// <inheritdoc/>
    public ITrainingSession Begin(ITrainingContext context)
    {
        var failIn = context.Options.Text("fail_in");
        return failIn == "begin" ? throw new InvalidOperationException("begin broke") : new Session(failIn!);
    }

    sealed class Session(string failIn) : ITrainingSession
    {
        readonly Parameter _weight = new(ones(1));

        public IReadOnlyList<ParameterGroup> Parameters => [new ParameterGroup("weight", [("weight", _weight)])];

        public Tensor Loss(TrainingBatch batch, ITrainingStep step) =>
            failIn == "loss" ? throw new InvalidOperationException("loss broke") : _weight.square().sum();

        public IReadOnlyList<SavedFile> Save(ISaveContext save) =>
            failIn == "save" ? throw new InvalidOperationException("save broke") : [];

        public void Dispose() => _weight.Dispose();
    }
}
