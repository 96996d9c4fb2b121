namespace DiffusionTune.IO.Images;

/// <summary>The PNG chunk kinds that carry keyword/text pairs.</summary>
public enum PngTextChunkType
{
    /// <summary><c>tEXt</c>: uncompressed Latin-1.</summary>
    Text,

    /// <summary><c>zTXt</c>: zlib-compressed Latin-1.</summary>
    CompressedText,

    /// <summary><c>iTXt</c>: UTF-8, compressed or not.</summary>
    InternationalText,
}

/// <summary>One keyword/text pair read from a PNG file, e.g. A1111's <c>parameters</c>.</summary>
public sealed record PngTextChunk(string Keyword, string Text, PngTextChunkType Type);
