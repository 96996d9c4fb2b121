using System.Text.Json;
using System.Text.Json.Nodes;

namespace DiffusionTune.Diffusion.Schedules;

/// <summary>
/// The settings of a diffusers <c>scheduler/scheduler_config.json</c> that define the training noise schedule and
/// how samplers walk it. Defaults are diffusers' (DDIMScheduler's where scheduler classes disagree), except
/// <see cref="ClipSample"/>, which is off: clipping x₀ to ±1 is meant for pixel-space models, never for latents.
/// </summary>
public sealed record NoiseScheduleOptions
{
    /// <summary>T, the number of training timesteps (<c>num_train_timesteps</c>).</summary>
    public int NumTrainTimesteps { get; init; } = 1000;

    /// <summary><c>beta_schedule</c>.</summary>
    public BetaSchedule BetaSchedule { get; init; } = BetaSchedule.Linear;

    /// <summary><c>beta_start</c>: β at timestep 0 (for <see cref="BetaSchedule.ScaledLinear"/>, its square root is interpolated).</summary>
    public double BetaStart { get; init; } = 0.0001;

    /// <summary><c>beta_end</c>: β at timestep T−1.</summary>
    public double BetaEnd { get; init; } = 0.02;

    /// <summary><c>trained_betas</c>: explicit betas that replace <see cref="BetaSchedule"/> when present.</summary>
    public IReadOnlyList<float>? TrainedBetas { get; init; }

    /// <summary><c>rescale_betas_zero_snr</c>: rescale the betas so the last timestep is pure noise (zero terminal SNR).</summary>
    public bool RescaleBetasZeroSnr { get; init; }

    /// <summary><c>prediction_type</c>.</summary>
    public PredictionType PredictionType { get; init; } = PredictionType.Epsilon;

    /// <summary><c>steps_offset</c>: added to every timestep of <see cref="Schedules.TimestepSpacing.Leading"/> spacing.</summary>
    public int StepsOffset { get; init; }

    /// <summary>
    /// <c>set_alpha_to_one</c>: whether DDIM's last step lands on ᾱ = 1 (a clean sample) rather than on ᾱ of
    /// timestep 0.
    /// </summary>
    public bool SetAlphaToOne { get; init; } = true;

    /// <summary><c>timestep_spacing</c>; null lets each sampler use the diffusers default of its class
    /// (<see cref="Schedules.TimestepSpacing.Leading"/> for DDIM, <see cref="Schedules.TimestepSpacing.Linspace"/> for the others).</summary>
    public TimestepSpacing? TimestepSpacing { get; init; }

    /// <summary><c>clip_sample</c>: DDIM clamps its x₀ prediction to ±<see cref="ClipSampleRange"/>.</summary>
    public bool ClipSample { get; init; }

    /// <summary><c>clip_sample_range</c>.</summary>
    public double ClipSampleRange { get; init; } = 1.0;

    /// <summary>The schedule of every Stable Diffusion 1.x checkpoint (and of the 2.x ones, bar their prediction type).</summary>
    public static NoiseScheduleOptions StableDiffusion1 { get; } = new()
    {
        BetaSchedule = BetaSchedule.ScaledLinear,
        BetaStart = 0.00085,
        BetaEnd = 0.012,
        StepsOffset = 1,
        SetAlphaToOne = false,
    };

    /// <summary>
    /// Reads the options from a parsed diffusers scheduler config. Keys that choose a sampler variant rather than
    /// the schedule (<c>use_karras_sigmas</c>, <c>solver_order</c>, <c>_class_name</c>, …) are ignored.
    /// </summary>
    /// <exception cref="FormatException">A known key has a value of the wrong type or an unknown spelling.</exception>
    /// <exception cref="NotSupportedException">The config asks for behaviour this implementation does not have.</exception>
    public static NoiseScheduleOptions FromSchedulerConfig(JsonElement config)
    {
        if (config.ValueKind != JsonValueKind.Object)
            throw new FormatException($"a scheduler config is a JSON object, not {config.ValueKind}");

        var options = new NoiseScheduleOptions();
        foreach (var property in config.EnumerateObject())
        {
            var value = property.Value;
            if (value.ValueKind == JsonValueKind.Null) continue;
            options = property.Name switch
            {
                "num_train_timesteps" => options with { NumTrainTimesteps = ReadInt(property) },
                "beta_start" => options with { BetaStart = ReadDouble(property) },
                "beta_end" => options with { BetaEnd = ReadDouble(property) },
                "beta_schedule" => options with { BetaSchedule = ParseBetaSchedule(ReadString(property)) },
                "trained_betas" => options with { TrainedBetas = ReadFloatArray(property) },
                "rescale_betas_zero_snr" => options with { RescaleBetasZeroSnr = ReadBool(property) },
                "prediction_type" => options with { PredictionType = ParsePredictionType(ReadString(property)) },
                "steps_offset" => options with { StepsOffset = ReadInt(property) },
                "set_alpha_to_one" => options with { SetAlphaToOne = ReadBool(property) },
                "timestep_spacing" => options with { TimestepSpacing = ParseSpacing(ReadString(property)) },
                "clip_sample" => options with { ClipSample = ReadBool(property) },
                "clip_sample_range" => options with { ClipSampleRange = ReadDouble(property) },
                "thresholding" when ReadBool(property) =>
                    throw new NotSupportedException("dynamic thresholding (\"thresholding\": true) is not supported"),
                "timestep_type" when ReadString(property) != "discrete" =>
                    throw new NotSupportedException($"\"timestep_type\": \"{ReadString(property)}\" is not supported (only discrete timesteps)"),
                _ => options,
            };
        }
        options.Validate();
        return options;
    }

    /// <summary>
    /// The options as a diffusers <c>scheduler_config.json</c> (written as a DDIMScheduler config, which every diffusers
    /// scheduler reads: they share these keys).
    /// </summary>
    public JsonObject ToSchedulerConfig()
    {
        var config = new JsonObject
        {
            ["_class_name"] = "DDIMScheduler",
            ["num_train_timesteps"] = NumTrainTimesteps,
            ["beta_start"] = BetaStart,
            ["beta_end"] = BetaEnd,
            ["beta_schedule"] = BetaSchedule switch
            {
                BetaSchedule.Linear => "linear",
                BetaSchedule.ScaledLinear => "scaled_linear",
                _ => "squaredcos_cap_v2",
            },
            ["prediction_type"] = PredictionType.ToConfigName(),
            ["steps_offset"] = StepsOffset,
            ["set_alpha_to_one"] = SetAlphaToOne,
            ["clip_sample"] = ClipSample,
            ["clip_sample_range"] = ClipSampleRange,
            ["rescale_betas_zero_snr"] = RescaleBetasZeroSnr,
        };
        if (TimestepSpacing is { } spacing)
            config["timestep_spacing"] = spacing switch
            {
                Schedules.TimestepSpacing.Linspace => "linspace",
                Schedules.TimestepSpacing.Leading => "leading",
                _ => "trailing",
            };
        if (TrainedBetas is not null)
            config["trained_betas"] = new JsonArray(TrainedBetas.Select(b => (JsonNode?)JsonValue.Create(b)).ToArray());
        return config;
    }

    /// <summary>Throws <see cref="ArgumentException"/> when the options cannot define a schedule.</summary>
    public void Validate()
    {
        if (NumTrainTimesteps < 2)
            throw new ArgumentException($"num_train_timesteps must be at least 2, not {NumTrainTimesteps}");
        if (TrainedBetas is not null && TrainedBetas.Count != NumTrainTimesteps)
            throw new ArgumentException($"trained_betas has {TrainedBetas.Count} values but num_train_timesteps is {NumTrainTimesteps}");
        if (TrainedBetas is null && BetaSchedule != BetaSchedule.SquaredCosCapV2 && !(BetaStart > 0 && BetaStart <= BetaEnd && BetaEnd < 1))
            throw new ArgumentException($"beta_start {BetaStart} and beta_end {BetaEnd} must satisfy 0 < beta_start <= beta_end < 1");
        if (StepsOffset < 0)
            throw new ArgumentException($"steps_offset must not be negative, not {StepsOffset}");
        if (ClipSampleRange <= 0)
            throw new ArgumentException($"clip_sample_range must be positive, not {ClipSampleRange}");
    }

    static BetaSchedule ParseBetaSchedule(string text) => text switch
    {
        "linear" => BetaSchedule.Linear,
        "scaled_linear" => BetaSchedule.ScaledLinear,
        "squaredcos_cap_v2" => BetaSchedule.SquaredCosCapV2,
        _ => throw new NotSupportedException($"beta_schedule '{text}' is not supported (linear, scaled_linear or squaredcos_cap_v2)"),
    };

    static TimestepSpacing ParseSpacing(string text) => text switch
    {
        "linspace" => Schedules.TimestepSpacing.Linspace,
        "leading" => Schedules.TimestepSpacing.Leading,
        "trailing" => Schedules.TimestepSpacing.Trailing,
        _ => throw new NotSupportedException($"timestep_spacing '{text}' is not supported (linspace, leading or trailing)"),
    };

    static PredictionType ParsePredictionType(string text) =>
        PredictionTypeNames.TryParse(text, out var type)
            ? type
            : throw new NotSupportedException($"prediction_type '{text}' is not supported (epsilon, v_prediction or sample)");

    static int ReadInt(JsonProperty property) =>
        property.Value.ValueKind == JsonValueKind.Number && property.Value.TryGetInt32(out var value)
            ? value
            : throw WrongType(property, "an integer");

    static double ReadDouble(JsonProperty property) =>
        property.Value.ValueKind == JsonValueKind.Number ? property.Value.GetDouble() : throw WrongType(property, "a number");

    static bool ReadBool(JsonProperty property) => property.Value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw WrongType(property, "true or false"),
    };

    static string ReadString(JsonProperty property) =>
        property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : throw WrongType(property, "a string");

    // Through double, as torch.tensor(list_of_python_floats, dtype=float32) rounds.
    static float[] ReadFloatArray(JsonProperty property)
    {
        if (property.Value.ValueKind != JsonValueKind.Array) throw WrongType(property, "an array of numbers");
        return property.Value.EnumerateArray()
            .Select(item => item.ValueKind == JsonValueKind.Number ? (float)item.GetDouble() : throw WrongType(property, "an array of numbers"))
            .ToArray();
    }

    static FormatException WrongType(JsonProperty property, string expected) =>
        new($"\"{property.Name}\" must be {expected}, not {property.Value.GetRawText()}");
}
