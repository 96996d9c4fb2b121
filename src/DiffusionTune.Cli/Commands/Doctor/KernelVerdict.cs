namespace DiffusionTune.Cli.Commands.Doctor;

/// <summary>One sampled operation on one device in one dtype: is libtorch's kernel right here, and is what DiffusionTune runs right.</summary>
/// <param name="Library">"right", or what is wrong with libtorch's own kernel.</param>
/// <param name="Project">"right", or what is wrong with the path DiffusionTune runs.</param>
/// <param name="Workaround">How DiffusionTune computes the operation when it does not call libtorch's kernel as is, else null.</param>
public sealed record KernelVerdict(string Device, string Precision, string Operation, string Shape, string Library, string Project, string? Workaround)
{
    public bool LibraryRight => Library == "right";

    public bool ProjectRight => Project == "right";
}
