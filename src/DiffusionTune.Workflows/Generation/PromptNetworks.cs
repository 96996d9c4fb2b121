using System.Globalization;
using DiffusionTune.Workflows.Adapters;
using DiffusionTune.Workflows.Reporting;

namespace DiffusionTune.Workflows.Generation;

/// <summary>
/// A prompt's extra-network tags resolved to files (<see cref="NetworkFolders"/>): the LoRAs to merge and hypernetworks
/// to hook in while its images are made, and the text the text encoder sees. Tags whose name resolves to no file are
/// warned about once and left out.
/// </summary>
/// <param name="Text">The prompt without its tags.</param>
/// <param name="Loras">The LoRA files, in tag order, each at its UNet and text-encoder multipliers.</param>
/// <param name="LoraNames">Each LoRA's name as its tag wrote it, which A1111's <c>Lora hashes</c> records.</param>
/// <param name="Hypernetworks">The hypernetwork files at their strengths, in tag order.</param>
public sealed record PromptNetworks(string Text, IReadOnlyList<LoraArgument> Loras, IReadOnlyList<string> LoraNames,
    IReadOnlyList<(string Path, double Strength, string? Trigger)> Hypernetworks)
{
    /// <summary>Equal for prompts that need the same networks at the same multipliers, so they can be generated under one merge.</summary>
    public string Key => string.Join("|", Loras.Select(l => $"lora {l.Path} {Number(l.Strength)} {Number(l.TextEncoderStrength ?? l.Strength)}")
        .Concat(Hypernetworks.Select(h => $"hypernet {h.Path} {Number(h.Strength)}")));

    /// <summary>Parses every job's prompt tags and resolves their names in <paramref name="folders"/>, warning once per tag that does not resolve.</summary>
    /// <exception cref="ArgumentException">A tag is malformed (<see cref="PromptTags.Parse"/>).</exception>
    public static IReadOnlyList<PromptNetworks> Resolve(IReadOnlyList<PromptJob> jobs, NetworkFolders folders, IWorkflowReporter reporter)
    {
        var warned = new HashSet<string>();
        void Warn(string tag, string problem)
        {
            if (warned.Add(tag)) reporter.Warning($"prompt tag {tag}: {problem}; generating without it");
        }

        var resolved = new List<PromptNetworks>();
        foreach (var job in jobs)
        {
            var tags = PromptTags.Parse(job.Prompt);
            foreach (var unknown in tags.UnknownTags) Warn(unknown, "not a LoRA (<lora:NAME:0.8>) or hypernetwork (<hypernet:NAME:0.8>) tag");
            var loras = new List<LoraArgument>();
            var names = new List<string>();
            var hypernetworks = new List<(string, double, string?)>();
            foreach (var tag in tags.Tags)
            {
                if (folders.Find(tag.Kind, tag.Name) is not { } path)
                {
                    Warn(tag.Text, folders.Described(tag.Kind));
                    continue;
                }
                path = Path.GetFullPath(path);
                if (tag.Kind == ExtraNetworkKind.Lora)
                {
                    loras.Add(new LoraArgument(path, tag.Strength, TextEncoderStrength: tag.TextEncoderStrength));
                    names.Add(tag.Name);
                }
                else hypernetworks.Add((path, tag.Strength, null));
            }
            resolved.Add(new PromptNetworks(tags.Text, loras, names, hypernetworks));
        }
        return resolved;
    }

    static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
