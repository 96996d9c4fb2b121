using System.CommandLine;
using DiffusionTune.Workflows.Generation;

namespace DiffusionTune.Cli.Commands;

/// <summary>
/// The options that say how each image is sampled and how a model file is read, shared by <c>generate</c> and
/// <c>compare</c> so that both take the same flags with the same defaults. Created fresh per command
/// (System.CommandLine symbols have one parent).
/// </summary>
public sealed class SamplingOptions
{
    public Option<string> NegativePrompt { get; } = new("--negative-prompt", "-n") { Description = "What to steer away from", DefaultValueFactory = _ => "" };

    public Option<int> Steps { get; } = new("--steps") { Description = "Sampling steps", DefaultValueFactory = _ => 25 };

    public Option<double> Cfg { get; } = new("--cfg") { Description = "Classifier-free guidance scale (1 = no guidance)", DefaultValueFactory = _ => 7.0 };

    public Option<string> Sampler { get; } = new("--sampler")
    {
        Description = "ddim, euler, euler_a, dpmpp_2m, with _karras for Karras sigmas (A1111 names such as \"DPM++ 2M Karras\" also work)",
        DefaultValueFactory = _ => "dpmpp_2m_karras",
    };

    public Option<int?> Width { get; } = new("--width", "-W") { Description = "Image width in pixels (default: the model's native size)" };

    public Option<int?> Height { get; } = new("--height", "-H") { Description = "Image height in pixels (default: the model's native size)" };

    public Option<int> ClipSkip { get; } = new("--clip-skip") { Description = "1 = the text encoder's last layer, 2 = the penultimate", DefaultValueFactory = _ => 1 };

    public ModelLoadingOptions Loading { get; } = new();

    /// <summary>The settings the user gave (defaults for the rest).</summary>
    public SamplingSettings Read(ParseResult result) => new()
    {
        NegativePrompt = result.GetValue(NegativePrompt)!,
        Steps = result.GetValue(Steps),
        Cfg = result.GetValue(Cfg),
        Sampler = result.GetValue(Sampler)!,
        Width = result.GetValue(Width),
        Height = result.GetValue(Height),
        ClipSkip = result.GetValue(ClipSkip),
        Loading = Loading.Read(result),
    };

    /// <summary>Adds every option to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (Option option in (Option[])[NegativePrompt, Steps, Cfg, Sampler, Width, Height, ClipSkip])
            command.Options.Add(option);
        Loading.AddTo(command);
    }
}
