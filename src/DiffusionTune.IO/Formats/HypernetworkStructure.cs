using System.Globalization;
using System.Text.Json;

namespace DiffusionTune.IO.Formats;

/// <summary>What one slot of a hypernetwork MLP's <c>torch.nn.Sequential</c> holds.</summary>
public enum HypernetworkSlotKind
{
    /// <summary>A Linear layer (<c>weight</c> [out, in], <c>bias</c> [out]).</summary>
    Linear,

    /// <summary>An activation function (no tensors).</summary>
    Activation,

    /// <summary>A LayerNorm (<c>weight</c> and <c>bias</c> [width], ε 1e-5).</summary>
    LayerNorm,

    /// <summary>A Dropout (no tensors; identity at inference).</summary>
    Dropout,
}

/// <summary>One slot of the MLP: its Sequential index, kind, and the widths its tensors have.</summary>
/// <param name="Index">The index in the Sequential, which names its tensors (<c>linear.{Index}.weight</c>).</param>
/// <param name="In">Input width (Linear) or normalised width (LayerNorm).</param>
/// <param name="Out">Output width (Linear) or normalised width (LayerNorm).</param>
/// <param name="Probability">The dropout probability (Dropout).</param>
/// <param name="ActivationName">The activation's name (Activation).</param>
public sealed record HypernetworkSlot(int Index, HypernetworkSlotKind Kind, int In, int Out, double Probability = 0, string? ActivationName = null);

/// <summary>
/// The design of an A1111 hypernetwork (<c>modules/hypernetworks/hypernetwork.py</c>), shared by all its modules: each
/// module is <c>x + MLP(x)·strength</c> where the MLP is a Sequential built, for each step i of
/// <see cref="LayerStructure"/>, from a Linear(dim·ls[i] → dim·ls[i+1]); the activation, except after the last Linear
/// unless <see cref="ActivateOutput"/> (none at all for <c>linear</c>); a LayerNorm when <see cref="LayerNorm"/>; and a
/// Dropout when <c>dropout_structure[i+1] &gt; 0</c>. Each present slot takes the next Sequential index, so the
/// tensor names depend on the whole design.
/// </summary>
public sealed record HypernetworkStructure
{
    /// <summary>Activation names A1111 offers, plus other torch.nn activations files are seen with; <c>swish</c> is Hardswish.</summary>
    public static IReadOnlyList<string> Activations { get; } =
        ["linear", "relu", "leakyrelu", "elu", "swish", "tanh", "sigmoid", "gelu", "silu", "mish", "hardswish", "relu6", "selu", "celu", "softplus"];

    /// <summary>Width multipliers of the MLP's layers, starting and ending with 1 (A1111's default 1, 2, 1).</summary>
    public required IReadOnlyList<double> LayerStructure { get; init; }

    /// <summary>The activation's lower-case name, or null for none.</summary>
    public string? Activation { get; init; }

    /// <summary>Whether a LayerNorm follows every Linear.</summary>
    public bool LayerNorm { get; init; }

    /// <summary>Dropout probability after each layer, one per <see cref="LayerStructure"/> entry (first and last 0).</summary>
    public required IReadOnlyList<double> DropoutStructure { get; init; }

    /// <summary>Whether the activation also follows the last Linear.</summary>
    public bool ActivateOutput { get; init; }

    /// <summary>How the weights were initialised (Normal, XavierUniform, …), kept for the record.</summary>
    public string WeightInitialization { get; init; } = "Normal";

    /// <summary>Checks the design; <paramref name="fail"/> turns a problem into the exception to throw.</summary>
    public void Validate(Func<string, Exception> fail)
    {
        if (LayerStructure.Count < 2 || LayerStructure[0] != 1 || LayerStructure[^1] != 1)
            throw fail($"layer_structure [{Text(LayerStructure)}] must start and end with 1");
        if (LayerStructure.Any(m => !(m > 0) || m > 64))
            throw fail($"layer_structure [{Text(LayerStructure)}] holds a multiplier outside (0, 64]");
        if (DropoutStructure.Count != LayerStructure.Count)
            throw fail($"dropout_structure [{Text(DropoutStructure)}] must have one entry per layer_structure entry ({LayerStructure.Count})");
        if (DropoutStructure.Any(p => !(p >= 0 && p < 1)) || DropoutStructure[^1] != 0)
            throw fail($"dropout_structure [{Text(DropoutStructure)}] must hold probabilities in [0, 1) and end with 0");
        if (Activation is not null && !Activations.Contains(Activation))
            throw fail($"activation '{Activation}' is not supported (supported: {string.Join(", ", Activations)})");
    }

    /// <summary>The Sequential's slots for context width <paramref name="dim"/>, as A1111 builds them.</summary>
    public IReadOnlyList<HypernetworkSlot> Slots(int dim)
    {
        var slots = new List<HypernetworkSlot>();
        int steps = LayerStructure.Count - 1;
        for (int i = 0; i < steps; i++)
        {
            // int() in Python truncates toward zero, which is what the cast does for these positive products.
            int input = (int)(dim * LayerStructure[i]), output = (int)(dim * LayerStructure[i + 1]);
            slots.Add(new HypernetworkSlot(slots.Count, HypernetworkSlotKind.Linear, input, output));
            bool activated = Activation is not (null or "linear") && (i < steps - 1 || ActivateOutput);
            if (activated) slots.Add(new HypernetworkSlot(slots.Count, HypernetworkSlotKind.Activation, output, output, ActivationName: Activation));
            if (LayerNorm) slots.Add(new HypernetworkSlot(slots.Count, HypernetworkSlotKind.LayerNorm, output, output));
            if (DropoutStructure[i + 1] > 0) slots.Add(new HypernetworkSlot(slots.Count, HypernetworkSlotKind.Dropout, output, output, DropoutStructure[i + 1]));
        }
        return slots;
    }

    /// <summary>A1111's dropout structure for files that only say <c>use_dropout</c>: 0.3 after hidden layers.</summary>
    public static IReadOnlyList<double> LegacyDropout(int layers, bool useDropout, bool lastLayerDropout)
    {
        if (!useDropout) return new double[layers];
        var values = new double[layers];
        for (int i = 1; i < layers - 2; i++) values[i] = 0.3;
        if (layers >= 3 && lastLayerDropout) values[layers - 2] = 0.3;
        return values;
    }

    /// <summary>
    /// The design as safetensors metadata, under the keys of A1111's .pt dict: <c>layer_structure</c> and
    /// <c>dropout_structure</c> as JSON lists, <c>activation_func</c>, <c>is_layer_norm</c>, <c>activate_output</c>,
    /// <c>use_dropout</c>, <c>last_layer_dropout</c> (JSON booleans) and <c>weight_initialization</c>.
    /// </summary>
    public Dictionary<string, string> ToMetadata() => new()
    {
        ["layer_structure"] = JsonSerializer.Serialize(LayerStructure),
        ["activation_func"] = Activation ?? "linear",
        ["is_layer_norm"] = Json(LayerNorm),
        ["dropout_structure"] = JsonSerializer.Serialize(DropoutStructure),
        ["use_dropout"] = Json(DropoutStructure.Any(p => p > 0)),
        ["last_layer_dropout"] = Json(DropoutStructure.Count >= 2 && DropoutStructure[^2] > 0),
        ["activate_output"] = Json(ActivateOutput),
        ["weight_initialization"] = WeightInitialization,
    };

    static string Json(bool value) => value ? "true" : "false";

    static string Text(IEnumerable<double> values) => string.Join(", ", values.Select(v => v.ToString(CultureInfo.InvariantCulture)));
}
