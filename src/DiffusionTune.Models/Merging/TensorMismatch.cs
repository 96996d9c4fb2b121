namespace DiffusionTune.Models.Merging;

/// <summary>
/// The first tensor (in ordinal name order) where two modules that should share an architecture differ: present in
/// only one of them (its shape in the other is null), or of different shapes.
/// </summary>
public sealed record TensorMismatch(string Name, long[]? FirstShape, long[]? SecondShape)
{
    /// <summary>Says what differs, calling the modules <paramref name="first"/> and <paramref name="second"/>.</summary>
    public string Describe(string first, string second) => (FirstShape, SecondShape) switch
    {
        (null, _) => $"{Name} is in {second} but not in {first}",
        (_, null) => $"{Name} is in {first} but not in {second}",
        _ => $"{Name} is {Shape(FirstShape)} in {first} but {Shape(SecondShape)} in {second}",
    };

    static string Shape(long[] shape) => $"[{string.Join(", ", shape)}]";
}
