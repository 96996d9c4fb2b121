using static TorchSharp.torch;

namespace DiffusionTune.Contracts;

/// <summary>What the host gives a trainer for one run.</summary>
public interface ITrainingContext
{
    /// <summary>The base model, loaded on <see cref="Device"/>, every parameter frozen (requires_grad false).</summary>
    IDiffusionModel Model { get; }

    /// <summary>The trainer's option values, validated against <see cref="TrainerInfo.Options"/>.</summary>
    TrainerOptionValues Options { get; }

    /// <summary>The device the run computes on.</summary>
    Device Device { get; }

    /// <summary>
    /// The dtype the model computes in (float32, bfloat16 or float16). Trained parameters may be created in this dtype:
    /// the engine keeps fp32 master copies of them and writes updates back.
    /// </summary>
    ScalarType ComputeDtype { get; }

    /// <summary>
    /// The prompt the training images are described by (instance prompt or caption template), with the class noun
    /// the engine's class-token regularisation uses, where the user gave one.
    /// </summary>
    ConceptDescription Concept { get; }

    /// <summary>Messages for the user (shown above the progress bar and kept in the run log).</summary>
    ITrainingLog Log { get; }
}
