using static TorchSharp.torch;

namespace DiffusionTune.ShapesWorld.Pretraining;

/// <summary>
/// Every random draw of a training step comes from a generator seeded by (run seed, stage, step), so a resumed run
/// repeats exactly the steps it would have taken, with no generator state to save.
/// </summary>
static class StepRandomness
{
    public static Generator For(ulong seed, ulong stage, int step)
    {
        var mixed = DeterministicRandom.ForItem(seed, step, stage).NextUInt64();
        return new Generator(0, CPU).manual_seed((long)(mixed & long.MaxValue));
    }
}
