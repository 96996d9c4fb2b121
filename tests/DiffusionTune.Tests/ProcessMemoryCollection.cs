namespace DiffusionTune.Tests;

/// <summary>Tests that measure the process's resident memory, so they run with no other test beside them.</summary>
[CollectionDefinition(nameof(ProcessMemoryCollection), DisableParallelization = true)]
public sealed class ProcessMemoryCollection;
