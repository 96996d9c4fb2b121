namespace DiffusionTune.IO.Images;

/// <summary>
/// An image file that cannot be read: missing, empty, of an unknown format, truncated or corrupt. A dataset loader
/// can catch this type to report or skip one bad picture while other <see cref="ModelFileException"/>s stay fatal.
/// </summary>
public sealed class ImageFileException(string path, string problem, Exception? inner = null)
    : ModelFileException(path, problem, inner);
