using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.IO;
using DiffusionTune.IO.Images;

namespace DiffusionTune.Training.Data;

/// <summary>
/// Generates prior-preservation class images with the base model and keeps them for later runs: in
/// <c>&lt;cache root&gt;/&lt;prompt&gt;-&lt;model short hash&gt;-&lt;settings hash&gt;/</c>, image i as
/// <c>&lt;i&gt;-&lt;seed&gt;.png</c> with A1111 <c>parameters</c> metadata. Only images whose file is missing are
/// generated, so a second run with the same model and settings generates none, and asking for more images later
/// generates just the new ones.
/// </summary>
public sealed partial class ClassImageGenerator(StableDiffusionModel model)
{
    /// <summary>
    /// Makes sure the <paramref name="settings"/>' images exist under <paramref name="cacheRoot"/>, generating the
    /// missing ones; <paramref name="progress"/> hears (images done, images to generate) after each batch.
    /// </summary>
    public GeneratedClassImages Prepare(ClassImageSettings settings, string cacheRoot, Action<int, int>? progress = null, CancellationToken cancellation = default)
    {
        settings.Validate();
        var folder = Path.Combine(cacheRoot, FolderName(settings));
        var files = Enumerable.Range(0, settings.Count)
            .Select(i => Path.Combine(folder, $"{i:D5}-{settings.Seed + i}.png"))
            .ToArray();
        var missing = Enumerable.Range(0, settings.Count).Where(i => !File.Exists(files[i])).ToList();
        if (missing.Count > 0)
        {
            Folders.Create(folder);
            var pipeline = new TextToImagePipeline(model);
            int done = 0;
            foreach (var (start, count) in ConsecutiveRuns(missing, settings.BatchSize))
            {
                cancellation.ThrowIfCancellationRequested();
                var request = new GenerationRequest
                {
                    Prompt = settings.ClassPrompt,
                    NegativePrompt = settings.NegativePrompt,
                    Steps = settings.Steps,
                    GuidanceScale = settings.GuidanceScale,
                    Sampler = settings.Sampler,
                    Seed = settings.Seed + start,
                    Width = settings.Resolution,
                    Height = settings.Resolution,
                    BatchSize = count,
                };
                using var images = pipeline.Generate(request, cancellation: cancellation);
                var bitmaps = ImageTensors.ToBitmaps(images);
                try
                {
                    for (int j = 0; j < count; j++)
                        PngWriter.Write(files[start + j], bitmaps[j], [KeyValuePair.Create("parameters", request.ParametersFor(request.Seed + j, model).ToParametersText())], overwrite: true);
                }
                finally
                {
                    foreach (var bitmap in bitmaps) bitmap.Dispose();
                }
                done += count;
                progress?.Invoke(done, missing.Count);
            }
        }
        return new GeneratedClassImages(folder, files, missing.Count, settings.ClassPrompt.Trim());
    }

    /// <summary>A readable, filesystem-safe start from the prompt, then the model and a hash of the image settings.</summary>
    string FolderName(ClassImageSettings settings)
    {
        var slug = NonWordRun().Replace(settings.ClassPrompt.ToLowerInvariant(), "-").Trim('-');
        if (slug.Length > 40) slug = slug[..40].TrimEnd('-');
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(model.ShortHash + "\n" + settings.ImageKey)))[..12];
        return $"{(slug.Length > 0 ? slug : "class")}-{model.ShortHash}-{hash}";
    }


    /// <summary>Splits sorted indices into runs of consecutive ones, each at most <paramref name="maxLength"/> long (one batch: seeds Seed+start, +1, …).</summary>
    static IEnumerable<(int Start, int Count)> ConsecutiveRuns(List<int> sortedIndices, int maxLength)
    {
        int start = sortedIndices[0], count = 1;
        foreach (int index in sortedIndices.Skip(1))
        {
            if (index == start + count && count < maxLength)
            {
                count++;
                continue;
            }
            yield return (start, count);
            (start, count) = (index, 1);
        }
        yield return (start, count);
    }

    [GeneratedRegex(@"[^a-z0-9]+")]
    private static partial Regex NonWordRun();
}
