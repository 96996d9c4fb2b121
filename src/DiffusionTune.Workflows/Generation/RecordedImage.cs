using DiffusionTune.IO.Images;

namespace DiffusionTune.Workflows.Generation;

/// <summary>
/// What an image already on disk was made with, read back from its PNG <c>parameters</c> chunk: how <c>generate</c>
/// and <c>compare</c> recognise the images a run already made, so running it again makes only the missing ones.
/// </summary>
public static class RecordedImage
{
    /// <summary>The parameters recorded in the PNG at <paramref name="path"/>; null for an unreadable or foreign file (which is then remade, never trusted).</summary>
    public static GenerationParameters? Parameters(string path)
    {
        try
        {
            return PngTextReader.Find(path, "parameters") is { } text && GenerationParameters.TryParse(text, out var made) ? made : null;
        }
        catch (Exception e) when (e is ImageFileException or IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Whether an image recorded as <paramref name="made"/> is the one <paramref name="wanted"/> describes: every setting equal, whichever program version made it.</summary>
    public static bool Matches(GenerationParameters made, GenerationParameters wanted) => made == wanted with { Version = made.Version };
}
