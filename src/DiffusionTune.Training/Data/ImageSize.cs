namespace DiffusionTune.Training.Data;

/// <summary>A width and height in pixels.</summary>
public readonly record struct ImageSize(int Width, int Height)
{
    /// <summary>Width divided by height.</summary>
    public double AspectRatio => (double)Width / Height;

    /// <summary>The pixel count.</summary>
    public long Area => (long)Width * Height;

    /// <summary>"<c>W</c>x<c>H</c>", as file names and messages show it.</summary>
    public override string ToString() => $"{Width}x{Height}";
}
