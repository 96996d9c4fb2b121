namespace DiffusionTune.Models.Kernels;

/// <summary>
/// This host's libtorch computes an operation the models need wrongly, and the project has no workaround for it: any
/// result would be silently wrong, so nothing runs.
/// </summary>
public sealed class WrongKernelsException(string message) : Exception(message);
