namespace DiffusionTune.Tests;

/// <summary>A fresh temporary folder for one test, deleted with everything in it on dispose.</summary>
sealed class ScratchFolder : IDisposable
{
    public string Path { get; } = TestPaths.TempFolder();

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
    }
}
