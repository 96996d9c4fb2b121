namespace DiffusionTune.Web.Library;

/// <summary>What a model file in the library holds.</summary>
public enum LibraryItemKind
{
    Model,
    Lora,
    Embedding,
    Hypernetwork,
    /// <summary>A trainer plugin's own adapter format (<c>diffusiontune.adapter_format</c>).</summary>
    Adapter,
    /// <summary>A file whose header says nothing the library recognizes, or a pickle (.pt/.ckpt) that is not opened.</summary>
    Unknown,
}
