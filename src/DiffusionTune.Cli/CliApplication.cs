using System.CommandLine;
using DiffusionTune.Cli.Commands.Benchmark;
using DiffusionTune.Cli.Commands.Generate;
using DiffusionTune.Cli.Commands.MergeLora;
using DiffusionTune.Cli.Commands.Plugins;
using DiffusionTune.Cli.Commands.Pretrain;
using DiffusionTune.Cli.Commands.Train;

namespace DiffusionTune.Cli;

/// <summary>The command tree, built in one place so tests run exactly what the executable runs.</summary>
public static class CliApplication
{
    public static RootCommand CreateRootCommand() => new("DiffusionTune: generate with and fine-tune Stable Diffusion models, no Python needed.")
    {
        GenerateCommandDefinition.Create(),
        TrainCommandDefinition.Create(),
        PluginsCommandDefinition.Create(),
        MergeLoraCommandDefinition.Create(),
        PretrainCommandDefinition.Create(),
        BenchmarkCommandDefinition.Create(),
    };

    public static Task<int> RunAsync(string[] args) =>
        // No kill timeout after Ctrl+C: commands finish their current step and save before exiting.
        CreateRootCommand().Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
}
