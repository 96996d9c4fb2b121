namespace DiffusionTune.Web.JobKinds;

/// <summary>An adapter file (LoRA, hypernetwork) picked in a root, and the strength to apply it at.</summary>
public sealed record RootedAdapter(string Root, string Path, double Strength = 1)
{
    public RootedFile File => new(Root, Path);
}
