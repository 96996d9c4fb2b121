namespace DiffusionTune.IO;

/// <summary>
/// A model, weights or data file that cannot be used. The message always names the file and what is wrong
/// with it, so the CLI can print it as it is.
/// </summary>
public class ModelFileException : Exception
{
    public ModelFileException(string path, string problem, Exception? inner = null)
        : base($"{path}: {problem}", inner)
    {
        FilePath = path;
        Problem = problem;
    }

    public string FilePath { get; }

    public string Problem { get; }
}
