using static TorchSharp.torch;

namespace DiffusionTune.Training.Checkpoints;

/// <summary>Saves and restores a torch generator's state as text, for checkpoints that resume bit-for-bit.</summary>
public static class RandomState
{
    public static string Capture(Generator generator)
    {
        using var state = generator.get_state();
        return Convert.ToBase64String(state.bytes.ToArray());
    }

    public static void Restore(Generator generator, string captured)
    {
        var bytes = Convert.FromBase64String(captured);
        using var state = tensor(bytes, ScalarType.Byte);
        generator.set_state(state);
    }
}
