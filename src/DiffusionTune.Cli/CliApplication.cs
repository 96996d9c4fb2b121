using System.CommandLine;
using System.Runtime.InteropServices;
using DiffusionTune.Cli.Commands.Benchmark;
using DiffusionTune.Cli.Commands.Calibrate;
using DiffusionTune.Cli.Commands.Compare;
using DiffusionTune.Cli.Commands.Damage;
using DiffusionTune.Cli.Commands.Doctor;
using DiffusionTune.Cli.Commands.Evaluate;
using DiffusionTune.Cli.Commands.ExtractLora;
using DiffusionTune.Cli.Commands.Generate;
using DiffusionTune.Cli.Commands.Merge;
using DiffusionTune.Cli.Commands.MergeLora;
using DiffusionTune.Cli.Commands.Plugins;
using DiffusionTune.Cli.Commands.Presets;
using DiffusionTune.Cli.Commands.Pretrain;
using DiffusionTune.Cli.Commands.Shapes;
using DiffusionTune.Cli.Commands.Train;
using DiffusionTune.Cli.Commands.TrainEvaluator;
using DiffusionTune.Cli.Commands.Ui;

namespace DiffusionTune.Cli;

/// <summary>The command tree, built in one place so tests run exactly what the executable runs.</summary>
public static class CliApplication
{
    public static RootCommand CreateRootCommand() => new("DiffusionTune: generate with and fine-tune Stable Diffusion models, no Python needed.")
    {
        GenerateCommandDefinition.Create(),
        CompareCommandDefinition.Create(),
        TrainCommandDefinition.Create(),
        PresetsCommandDefinition.Create(),
        PluginsCommandDefinition.Create(),
        MergeLoraCommandDefinition.Create(),
        MergeCommandDefinition.Create(),
        ExtractLoraCommandDefinition.Create(),
        PretrainCommandDefinition.Create(),
        ShapesCommandDefinition.Create(),
        EvaluateCommandDefinition.Create(),
        DamageCommandDefinition.Create(),
        CalibrateCommandDefinition.Create(),
        TrainEvaluatorCommandDefinition.Create(),
        BenchmarkCommandDefinition.Create(),
        DoctorCommandDefinition.Create(),
        UiCommandDefinition.Create(),
    };

    /// <summary>
    /// Parses and runs <paramref name="args"/>. Ctrl+C (SIGINT) and SIGTERM cancel the command's token instead of
    /// killing the process, so training finishes its step and saves a checkpoint before exiting.
    /// </summary>
    public static async Task<int> RunAsync(string[] args)
    {
        using var stop = new CancellationTokenSource();
        void Cancel(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
        return await CreateRootCommand().Parse(args)
            .InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, stop.Token);
    }
}
