using System.Globalization;
using System.Text.Json;

namespace DiffusionTune.Trainers.Hypernetwork;

/// <summary>What one slot of A1111's MLP Sequential holds; the slot's index names its tensors.</summary>
enum SlotKind { Linear, Activation, LayerNorm, Dropout }

/// <param name="Index">Index in the Sequential (<c>linear.{Index}.weight</c>).</param>
/// <param name="Width">Output width (Linear, LayerNorm) or the width it acts on.</param>
/// <param name="InputWidth">Input width of a Linear.</param>
/// <param name="Dropout">Probability of a Dropout slot.</param>
sealed record Slot(int Index, SlotKind Kind, int InputWidth, int Width, double Dropout = 0);

/// <summary>
/// The design of A1111's hypernetwork modules: for each step i of the layer structure, a Linear(d·ls[i] → d·ls[i+1]),
/// then the activation (not after the last Linear unless activate_output; none for "linear"), a LayerNorm when asked,
/// and a Dropout when dropout_structure[i+1] &gt; 0. Each present slot takes the next Sequential index.
/// </summary>
sealed record HypernetworkDesign(double[] LayerStructure, string Activation, bool LayerNorm, double[] DropoutStructure, bool ActivateOutput, string Initialization)
{
    public static readonly string[] Activations = ["linear", "relu", "leakyrelu", "elu", "swish", "tanh", "sigmoid"];

    public static readonly string[] Initializations = ["Normal", "XavierUniform", "XavierNormal", "KaimingUniform", "KaimingNormal"];

    /// <summary>Reads and checks the trainer's options.</summary>
    public static HypernetworkDesign Parse(string layers, string activation, bool layerNorm, string? dropout, bool activateOutput, string initialization)
    {
        var structure = Numbers(layers, "layer_structure");
        if (structure.Length < 2 || structure[0] != 1 || structure[^1] != 1 || structure.Any(m => !(m > 0) || m > 64))
            throw new ArgumentException($"layer_structure '{layers}' must start and end with 1 and hold multipliers in (0, 64], e.g. 1,2,1");
        var dropouts = dropout is null ? new double[structure.Length] : Numbers(dropout, "dropout_structure");
        if (dropouts.Length != structure.Length || dropouts[0] != 0 || dropouts[^1] != 0 || dropouts.Any(p => !(p >= 0 && p < 1)))
            throw new ArgumentException($"dropout_structure '{dropout}' needs {structure.Length} probabilities in [0, 1), the first and last 0");
        return new HypernetworkDesign(structure, activation, layerNorm, dropouts, activateOutput, initialization);
    }

    static double[] Numbers(string text, string option) =>
        text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(part => double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
                ? value
                : throw new ArgumentException($"{option} '{text}' is not a comma-separated list of numbers"))
            .ToArray();

    /// <summary>The Sequential's slots for context width <paramref name="dim"/>.</summary>
    public List<Slot> Slots(int dim)
    {
        var slots = new List<Slot>();
        int steps = LayerStructure.Length - 1;
        for (int i = 0; i < steps; i++)
        {
            int input = (int)(dim * LayerStructure[i]), output = (int)(dim * LayerStructure[i + 1]);
            slots.Add(new Slot(slots.Count, SlotKind.Linear, input, output));
            if (Activation != "linear" && (i < steps - 1 || ActivateOutput)) slots.Add(new Slot(slots.Count, SlotKind.Activation, output, output));
            if (LayerNorm) slots.Add(new Slot(slots.Count, SlotKind.LayerNorm, output, output));
            if (DropoutStructure[i + 1] > 0) slots.Add(new Slot(slots.Count, SlotKind.Dropout, output, output, DropoutStructure[i + 1]));
        }
        return slots;
    }

    /// <summary>The design under the keys of A1111's .pt dict, lists and booleans as JSON (what the host's reader expects).</summary>
    public Dictionary<string, string> Metadata() => new()
    {
        ["layer_structure"] = JsonSerializer.Serialize(LayerStructure),
        ["activation_func"] = Activation,
        ["is_layer_norm"] = Json(LayerNorm),
        ["dropout_structure"] = JsonSerializer.Serialize(DropoutStructure),
        ["use_dropout"] = Json(DropoutStructure.Any(p => p > 0)),
        ["last_layer_dropout"] = Json(DropoutStructure[^2] > 0),
        ["activate_output"] = Json(ActivateOutput),
        ["weight_initialization"] = Initialization,
    };

    static string Json(bool value) => value ? "true" : "false";
}
