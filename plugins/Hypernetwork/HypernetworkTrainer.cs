using DiffusionTune.Contracts;

namespace DiffusionTune.Trainers.Hypernetwork;

/// <summary>
/// A1111's hypernetwork: per attention context width, two small MLPs (K and V) that change the context before the
/// UNet's key and value projections (<c>x + MLP(x)</c>); the model stays frozen. Writes a .safetensors file with A1111's
/// design keys that <c>generate --hypernetwork</c> applies.
/// </summary>
public sealed class HypernetworkTrainer : ITrainer
{
    /// <inheritdoc/>
    public TrainerInfo Info { get; } = new("hypernetwork",
        "A1111-style hypernetwork: small MLPs on the attention context before to_k/to_v, chosen by context width",
        new Version(1, 0, 0),
        [
            new TrainerOption("layer_structure", TrainerOptionKind.Text, "1,2,1",
                "Width multipliers of each MLP's layers, starting and ending with 1 (1,2,1 = Linear(d, 2d), Linear(2d, d))"),
            new TrainerOption("activation", TrainerOptionKind.Choice, "linear", "Activation after every Linear but the last (swish is Hardswish, as in A1111)")
            {
                Choices = HypernetworkDesign.Activations,
            },
            new TrainerOption("layer_norm", TrainerOptionKind.Boolean, false, "A LayerNorm after every Linear"),
            new TrainerOption("dropout_structure", TrainerOptionKind.Text, null,
                "Dropout probability after each layer, one per layer_structure entry, first and last 0 (e.g. 0,0.3,0; default none)"),
            new TrainerOption("activate_output", TrainerOptionKind.Boolean, false, "Also apply the activation after the last Linear"),
            new TrainerOption("init", TrainerOptionKind.Choice, "Normal", "Weight initialisation: Normal is N(0, 0.01) with zero biases, so training starts near the unchanged model")
            {
                Choices = HypernetworkDesign.Initializations,
            },
            new TrainerOption("sizes", TrainerOptionKind.Text, null,
                "Context widths to give modules, e.g. 768 for cross-attention only on SD 1.x (default: every width the UNet's attention layers take, as A1111's 768, 320, 640, 1280)"),
        ])
    {
        Produces = "a hypernetwork .safetensors ({width}.{k|v}.linear.{i}.{weight|bias}, A1111 design keys in the metadata)",
    };

    /// <inheritdoc/>
    public ITrainingSession Begin(ITrainingContext context) => new HypernetworkSession(context);
}
