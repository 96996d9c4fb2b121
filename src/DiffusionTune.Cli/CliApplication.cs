using System.CommandLine;
using DiffusionTune.Cli.Commands.Benchmark;
using DiffusionTune.Cli.Commands.Evaluate;
using DiffusionTune.Cli.Commands.Generate;
using DiffusionTune.Cli.Commands.Pretrain;
using DiffusionTune.Cli.Commands.TrainEvaluator;

namespace DiffusionTune.Cli;

/// <summary>The command tree, built in one place so tests run exactly what the executable runs.</summary>
public static class CliApplication
{
    public static RootCommand CreateRootCommand() => new("DiffusionTune: generate with and fine-tune Stable Diffusion models, no Python needed.")
    {
        GenerateCommandDefinition.Create(),
        PretrainCommandDefinition.Create(),
        TrainEvaluatorCommandDefinition.Create(),
        EvaluateCommandDefinition.Create(),
        BenchmarkCommandDefinition.Create(),
    };

    public static Task<int> RunAsync(string[] args) =>
        // No kill timeout after Ctrl+C: commands finish their current step and save before exiting.
        CreateRootCommand().Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
}
