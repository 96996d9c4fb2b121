using System.CommandLine;

namespace DiffusionTune.Cli.Commands.Doctor;

/// <summary>
/// The <c>doctor</c> verb: what this machine and this build can run on (device, backend, precisions, memory) and the
/// exact package to add for CUDA.
/// </summary>
public static class DoctorCommandDefinition
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the report as JSON (for bug reports and scripts) instead of tables" };
        var command = new Command("doctor", "Check the runtime: OS, .NET, TorchSharp and libtorch, CUDA devices and memory, bf16/fp16 support and speed, and what to add for CUDA")
        {
            json,
        };
        command.SetAction((result, cancellation) => CommandRunner.RunAsync(_ => Task.FromResult(DoctorCommand.Run(result.GetValue(json))), cancellation));
        return command;
    }
}
