namespace DiffusionTune.Contracts;

/// <summary>
/// What a saved file is to the host, so that it can load the result (e.g. to measure what training changed) without
/// reading the free-text <see cref="SavedFile.Format"/>. Added in contract 1.3.
/// </summary>
public enum SavedFileKind
{
    /// <summary>Something the host does not load (logs, previews, a second copy in another layout).</summary>
    Other,

    /// <summary>A whole model: a diffusers folder or a single-file checkpoint (<see cref="ISaveContext.WriteModel"/>).</summary>
    Model,

    /// <summary>A LoRA-family adapter that <c>generate --lora</c> loads (kohya, LyCORIS, DoRA).</summary>
    Lora,

    /// <summary>A textual-inversion embedding that <c>generate --embeddings</c> loads.</summary>
    Embedding,

    /// <summary>A hypernetwork that <c>generate --hypernetwork</c> loads.</summary>
    Hypernetwork,

    /// <summary>
    /// An adapter of a plugin's own format (<see cref="IAdapterFormat"/>), which <c>generate --adapter</c> loads through
    /// that format. Added in contract 1.5.
    /// </summary>
    Adapter,
}
