using System.CommandLine;
using DiffusionTune.Cli.Commands.Benchmark;
using DiffusionTune.Cli.Commands.Generate;

var root = new RootCommand("DiffusionTune: generate with and fine-tune Stable Diffusion models, no Python needed.")
{
    GenerateCommandDefinition.Create(),
    BenchmarkCommandDefinition.Create(),
};

// No kill timeout after Ctrl+C: commands finish their current step and save before exiting.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
