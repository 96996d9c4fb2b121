using System.CommandLine;
using DiffusionTune.Diffusion.Damage;

namespace DiffusionTune.Cli.Commands;

/// <summary>The options that choose the inputs prediction drift is measured on (<see cref="DriftSettings"/>), shared by <c>damage</c> and <c>calibrate</c>.</summary>
public sealed class DriftOptions
{
    static readonly DriftSettings Defaults = new();

    readonly Option<int> _seeds = new("--seeds") { Description = "Latent and noise draws per prompt", DefaultValueFactory = _ => Defaults.Seeds };
    readonly Option<long> _seed = new("--seed", "-s") { Description = "The first draw's seed", DefaultValueFactory = _ => Defaults.FirstSeed };
    readonly Option<int[]> _timesteps = new("--timesteps")
    {
        Description = "Training timesteps to noise the latents to",
        AllowMultipleArgumentsPerToken = true,
        DefaultValueFactory = _ => [.. DriftSettings.DefaultTimesteps],
    };
    readonly Option<int> _clipSkip = new("--clip-skip") { Description = "1 = the text encoder's last layer, 2 = the penultimate", DefaultValueFactory = _ => Defaults.ClipSkip };
    readonly Option<int> _batchSize = new("--batch-size") { Description = "Prompts run through the UNets together (does not change the figures)", DefaultValueFactory = _ => Defaults.BatchSize };

    public void AddTo(Command command)
    {
        command.Options.Add(_seeds);
        command.Options.Add(_seed);
        command.Options.Add(_timesteps);
        command.Options.Add(_clipSkip);
        command.Options.Add(_batchSize);
    }

    public DriftSettings Read(ParseResult result) => new()
    {
        Seeds = result.GetValue(_seeds),
        FirstSeed = result.GetValue(_seed),
        Timesteps = result.GetValue(_timesteps)!,
        ClipSkip = result.GetValue(_clipSkip),
        BatchSize = result.GetValue(_batchSize),
    };
}
