DiffusionTune.Models.Runtime.NativeHeap.KeepFreedMemory();
return await DiffusionTune.Cli.CliApplication.RunAsync(args);
