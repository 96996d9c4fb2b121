return await DiffusionTune.Cli.CliApplication.RunAsync(args);
