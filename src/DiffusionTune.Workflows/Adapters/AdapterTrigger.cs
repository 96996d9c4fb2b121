using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.IO.Safetensors;

namespace DiffusionTune.Workflows.Adapters;

/// <summary>Decides the trigger word an adapter file is gated on: the one given after '@', else under <c>--gated</c> the one its trainer recorded.</summary>
public static class AdapterTrigger
{
    /// <summary>
    /// <paramref name="given"/> when there is one; otherwise, when <paramref name="gated"/>, the trigger recorded in the
    /// file's metadata (<see cref="ModelMetadata.Trigger"/>); otherwise null (the adapter applies to every prompt).
    /// </summary>
    /// <param name="option">The option, for messages (<c>--lora</c>).</param>
    /// <exception cref="ArgumentException">Gating was asked for but the file records no usable trigger.</exception>
    public static string? Resolve(string path, string? given, bool gated, string option)
    {
        if (given is not null || !gated) return given;
        var recorded = Recorded(path);
        if (recorded is null)
            throw new ArgumentException($"{path}: --gated needs the word that triggers it, and the file records none (DiffusionTune records it when trained with --instance-prompt and --class-prompt); give it as {option} {path}@WORD");
        if (!GatedFileArgument.IsWord(recorded))
            throw new ArgumentException($"{path}: its recorded trigger '{recorded}' is not one word; give the trigger as {option} {path}@WORD");
        return recorded;
    }

    /// <summary>The trigger a .safetensors file's metadata records, or null (other formats record none).</summary>
    static string? Recorded(string path)
    {
        if (!path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase)) return null;
        using var file = SafetensorsFile.Open(path);
        return file.Metadata.TryGetValue(ModelMetadata.Trigger, out var trigger) ? trigger : null;
    }
}
