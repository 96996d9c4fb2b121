namespace DiffusionTune.Diffusion.Damage;

/// <summary>Which inputs <see cref="PredictionDriftMeter"/> compares two models on.</summary>
public sealed record DriftSettings
{
    /// <summary>The default timesteps: from barely noised (100) to almost pure noise (900) on a 1000-step schedule.</summary>
    public static IReadOnlyList<int> DefaultTimesteps { get; } = [100, 300, 500, 700, 900];

    /// <summary>How many latent/noise draws (seeds <see cref="FirstSeed"/>, +1, …) every prompt is measured on.</summary>
    public int Seeds { get; init; } = 2;

    public long FirstSeed { get; init; }

    /// <summary>The training timesteps every draw is noised to.</summary>
    public IReadOnlyList<int> Timesteps { get; init; } = DefaultTimesteps;

    /// <summary>1 = the text encoder's last layer, 2 = the penultimate (as the models are used).</summary>
    public int ClipSkip { get; init; } = 1;

    /// <summary>Prompts run through the UNets together; results do not depend on it.</summary>
    public int BatchSize { get; init; } = 4;

    /// <exception cref="ArgumentException">A setting is out of range for a schedule of <paramref name="trainTimesteps"/> steps.</exception>
    public void Validate(int trainTimesteps)
    {
        if (Seeds < 1) throw new ArgumentException($"at least 1 seed is needed (got {Seeds})");
        if (Timesteps.Count == 0) throw new ArgumentException("at least one timestep is needed");
        foreach (var timestep in Timesteps)
        {
            if (timestep < 0 || timestep >= trainTimesteps)
                throw new ArgumentException($"timestep {timestep} is outside the model's schedule (0 … {trainTimesteps - 1})");
        }
        if (Timesteps.Distinct().Count() != Timesteps.Count) throw new ArgumentException($"timesteps repeat: {string.Join(", ", Timesteps)}");
        if (ClipSkip < 1) throw new ArgumentException($"clip skip must be at least 1 (got {ClipSkip})");
        if (BatchSize < 1) throw new ArgumentException($"the batch size must be at least 1 (got {BatchSize})");
    }
}
