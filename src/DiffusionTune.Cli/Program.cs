DiffusionTune.Models.Runtime.NativeHeap.KeepFreedMemory();
DiffusionTune.Models.Runtime.NnpackSwitch.Disable();
return await DiffusionTune.Cli.CliApplication.RunAsync(args);
