using System.Globalization;
using System.Text.RegularExpressions;
using DiffusionTune.IO.Safetensors;

namespace DiffusionTune.IO.Formats;

/// <summary>Which model a single-file checkpoint holds.</summary>
public enum CheckpointFamily
{
    Unknown,

    /// <summary>CLIP ViT-L/14 text encoder, convolutional proj_in/proj_out.</summary>
    StableDiffusion1,

    /// <summary>OpenCLIP ViT-H/14 text encoder, cross-attention width 1024, linear proj_in/proj_out.</summary>
    StableDiffusion2,

    /// <summary>Two text encoders under <c>conditioner.embedders.*</c>; not supported.</summary>
    StableDiffusionXL,
}

/// <summary>
/// What the UNet was trained to predict, as far as the file tells. Tensor names and shapes never tell: SD 2.0/2.1
/// 512-base (epsilon) and 768-v (v-prediction) checkpoints are identical in both. diffusers' single-file loader,
/// without an original config, takes an SD 2.x file's configs from stabilityai/stable-diffusion-2-1 and so assumes
/// v-prediction; its older path looked at the <c>global_step</c> stored beside the state dict in <c>.ckpt</c> pickles
/// (875000, the 2.0-base release: epsilon at 512 px; anything else: v-prediction at 768 px), which safetensors files
/// do not have. What a file can carry is SAI ModelSpec metadata (written by kohya's trainers among others):
/// <c>modelspec.prediction_type</c> (<c>v</c> / <c>epsilon</c>) or <c>modelspec.architecture</c>
/// (<c>stable-diffusion-v2-768-v</c> / <c>stable-diffusion-v2-512</c>). Without it an SD 2.x file is
/// <see cref="Unknown"/>, and the caller must take the prediction type from the user.
/// </summary>
public enum PredictionTypeHint
{
    Unknown,
    Epsilon,
    VPrediction,
}

/// <summary>The UNet architecture as far as shapes tell (the number of attention heads, for one, they do not).</summary>
public sealed record DetectedUNet(
    UNetLayout Layout,
    IReadOnlyList<int> BlockOutChannels,
    int InChannels,
    int OutChannels,
    int? CrossAttentionDim,
    bool UseLinearProjection,
    int TransformerLayersPerBlock);

/// <summary>The VAE architecture as far as shapes tell.</summary>
public sealed record DetectedVae(VaeLayout Layout, IReadOnlyList<int> BlockOutChannels, int InChannels, int OutChannels, int LatentChannels);

/// <summary>
/// The text encoder as far as shapes tell. <paramref name="LayersInFile"/> is what the file stores;
/// <paramref name="Layout"/> is what a diffusers text encoder made from it has (OpenCLIP: one layer fewer, see <see cref="TextEncoderLayout"/>).
/// </summary>
public sealed record DetectedTextEncoder(
    TextEncoderFormat Format,
    int HiddenSize,
    int IntermediateSize,
    int LayersInFile,
    int VocabSize,
    int MaxPositionEmbeddings,
    TextEncoderLayout Layout);

/// <summary>
/// What <see cref="CheckpointDetector"/> found in a single file. <see cref="Problems"/> says, in words fit for the
/// user, why it cannot be used as a Stable Diffusion 1.x/2.x text-to-image checkpoint.
/// </summary>
public sealed record CheckpointDetection(
    CheckpointFamily Family,
    DetectedUNet? UNet,
    DetectedVae? Vae,
    DetectedTextEncoder? TextEncoder,
    bool HasEmaWeights,
    PredictionTypeHint Prediction,
    IReadOnlyList<string> Problems)
{
    public bool HasVae => Vae is not null;

    public bool HasTextEncoder => TextEncoder is not null;

    /// <summary>A 9-channel UNet input: latents, mask and masked-image latents.</summary>
    public bool IsInpainting => UNet?.InChannels == 9;

    public bool IsSupported => Problems.Count == 0;

    /// <summary>The layouts needed to split the file, when it holds all three components.</summary>
    public StableDiffusionLayout? Layout =>
        UNet is not null && Vae is not null && TextEncoder is not null ? new(UNet.Layout, Vae.Layout, TextEncoder.Layout) : null;

    /// <summary>Throws a <see cref="ModelFileException"/> naming <paramref name="path"/> and every problem.</summary>
    public void ThrowIfUnsupported(string path)
    {
        if (!IsSupported) throw new ModelFileException(path, string.Join("; ", Problems));
    }
}

/// <summary>
/// Tells, from tensor names and shapes alone (and ModelSpec metadata where present), what a CompVis-layout single
/// file holds: SD 1.x, SD 2.x or something unsupported, which components, and the architecture numbers the shapes
/// determine, so a model can be built without an original config file.
/// </summary>
public static class CheckpointDetector
{
    const string SdxlPrefix = "conditioner.embedders.";

    static readonly Regex InputBlock = new(@"^input_blocks\.(?<block>\d{1,4})\.(?<part>\d)\.(?<rest>.+)$", RegexOptions.CultureInvariant);
    static readonly Regex OutputBlock = new(@"^output_blocks\.(?<block>\d{1,4})\.(?<part>\d)\.(?<rest>.+)$", RegexOptions.CultureInvariant);
    static readonly Regex TransformerBlock = new(@"\.transformer_blocks\.(?<index>\d{1,4})\.", RegexOptions.CultureInvariant);
    static readonly Regex VaeEncoderBlock = new(@"^encoder\.down\.(?<level>\d{1,4})\.block\.(?<layer>\d{1,4})\.", RegexOptions.CultureInvariant);
    static readonly Regex ClipLayer = new(@"^encoder\.layers\.(?<layer>\d{1,6})\.", RegexOptions.CultureInvariant);
    static readonly Regex OpenClipLayer = new(@"^transformer\.resblocks\.(?<layer>\d{1,6})\.", RegexOptions.CultureInvariant);

    public static CheckpointDetection Detect(SafetensorsFile file) =>
        Detect(file.Entries.ToDictionary(e => e.Name, e => e.Shape), file.Metadata);

    /// <param name="shapes">Every tensor name of the file with its shape.</param>
    /// <param name="metadata">The safetensors <c>__metadata__</c>, if any.</param>
    public static CheckpointDetection Detect(IReadOnlyDictionary<string, long[]> shapes, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var problems = new List<string>();
        if (shapes.Keys.Any(n => n.StartsWith(SdxlPrefix, StringComparison.Ordinal)))
        {
            problems.Add($"this is an SDXL checkpoint ({SdxlPrefix}* text encoders); only Stable Diffusion 1.x and 2.x are supported");
            return new(CheckpointFamily.StableDiffusionXL, null, null, null, HasEma(shapes), PredictionTypeHint.Unknown, problems);
        }

        var unetShapes = Component(shapes, CompVisCheckpoint.UNetPrefix);
        var unet = DetectUNet(unetShapes, problems);
        var vae = DetectVae(Component(shapes, CompVisCheckpoint.VaePrefix), problems);
        var textEncoder = DetectClip(Component(shapes, CompVisCheckpoint.ClipPrefix), problems)
            ?? DetectOpenClip(Component(shapes, CompVisCheckpoint.OpenClipPrefix), problems);

        var family =
            textEncoder?.Format == TextEncoderFormat.OpenClip || unet?.CrossAttentionDim == 1024 || unet?.UseLinearProjection == true ? CheckpointFamily.StableDiffusion2
            : unet is not null || textEncoder is not null ? CheckpointFamily.StableDiffusion1
            : CheckpointFamily.Unknown;

        if (unetShapes.Count == 0)
            problems.Add($"there is no Stable Diffusion UNet ({CompVisCheckpoint.UNetPrefix}*) in this file");
        if (unet?.InChannels == 9)
            problems.Add("this is an inpainting checkpoint (the UNet takes 9 input channels: latents, mask, masked image); only text-to-image (4 channels) is supported");
        else if (unet is not null && unet.InChannels != 4)
            problems.Add($"the UNet takes {unet.InChannels} input channels; only text-to-image UNets (4 channels) are supported");

        return new(family, unet, vae, textEncoder, HasEma(shapes), PredictionHint(family, metadata), problems);
    }

    static PredictionTypeHint PredictionHint(CheckpointFamily family, IReadOnlyDictionary<string, string>? metadata)
    {
        if (metadata is not null)
        {
            if (metadata.TryGetValue("modelspec.prediction_type", out var prediction))
            {
                if (prediction == "v") return PredictionTypeHint.VPrediction;
                if (prediction == "epsilon") return PredictionTypeHint.Epsilon;
            }
            if (metadata.TryGetValue("modelspec.architecture", out var architecture))
            {
                if (architecture == "stable-diffusion-v2-768-v") return PredictionTypeHint.VPrediction;
                if (architecture is "stable-diffusion-v2-512" or "stable-diffusion-v1") return PredictionTypeHint.Epsilon;
            }
        }
        return family == CheckpointFamily.StableDiffusion1 ? PredictionTypeHint.Epsilon : PredictionTypeHint.Unknown;
    }

    static bool HasEma(IReadOnlyDictionary<string, long[]> shapes) =>
        shapes.Keys.Any(n => n.StartsWith(CompVisCheckpoint.EmaPrefix, StringComparison.Ordinal) && n is not ("model_ema.decay" or "model_ema.num_updates"));

    /// <summary>The names under <paramref name="prefix"/>, with it removed.</summary>
    static Dictionary<string, long[]> Component(IReadOnlyDictionary<string, long[]> shapes, string prefix) =>
        shapes.Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(p => p.Key[prefix.Length..], p => p.Value);

    static DetectedUNet? DetectUNet(Dictionary<string, long[]> unet, List<string> problems)
    {
        if (unet.Count == 0) return null;
        try
        {
            // input_blocks.0 is conv_in; every other input block is a level's resnet (+ attention) or a downsampler (".0.op").
            var inputs = Blocks(unet, InputBlock, "input_blocks");
            var downsamplers = inputs.Where(b => b.Value.Any(p => p.Part == 0 && p.Tail.StartsWith("op.", StringComparison.Ordinal))).Select(b => b.Key).Order().ToList();
            int lastInput = inputs.Keys.Max();
            var layersPerBlock = new List<int>();
            var downAttentions = new List<bool>();
            var blockOutChannels = new List<int>();
            int start = 1;
            foreach (int end in downsamplers.Append(lastInput + 1))
            {
                if (end <= start) throw new InvalidDataException($"input block {end} leaves a level without resnets");
                layersPerBlock.Add(end - start);
                downAttentions.Add(Enumerable.Range(start, end - start).Any(b => inputs.TryGetValue(b, out var parts) && parts.Any(p => p.Part == 1)));
                blockOutChannels.Add(Dim(unet, $"input_blocks.{start}.0.in_layers.2.weight", 0));
                start = end + 1;
            }

            var outputs = Blocks(unet, OutputBlock, "output_blocks");
            var upAttentions = new List<bool>();
            int block = 0;
            for (int up = 0; up < layersPerBlock.Count; up++)
            {
                int layers = layersPerBlock[layersPerBlock.Count - 1 - up] + 1;
                // Part 1 of an output block is its attention, unless it is the upsampler of a level without attention.
                upAttentions.Add(Enumerable.Range(block, layers).Any(b =>
                    outputs.TryGetValue(b, out var parts) && parts.Any(p => p.Part == 1 && !p.Tail.StartsWith("conv.", StringComparison.Ordinal))));
                block += layers;
            }
            if (outputs.Count == 0 || outputs.Keys.Max() != block - 1)
                throw new InvalidDataException($"{outputs.Count} output blocks do not fit {layersPerBlock.Count} levels of [{string.Join(", ", layersPerBlock)}] resnets");

            var crossAttentionKey = unet.Keys.FirstOrDefault(k => k.EndsWith(".attn2.to_k.weight", StringComparison.Ordinal));
            var projectionKey = unet.Keys.FirstOrDefault(k => k.EndsWith(".proj_in.weight", StringComparison.Ordinal));
            int transformerLayers = unet.Keys.Select(k => TransformerBlock.Match(k)).Where(m => m.Success)
                .Select(m => int.Parse(m.Groups["index"].Value, CultureInfo.InvariantCulture) + 1).DefaultIfEmpty(0).Max();
            return new DetectedUNet(
                new UNetLayout(layersPerBlock, downAttentions, upAttentions),
                blockOutChannels,
                InChannels: Dim(unet, "input_blocks.0.0.weight", 1),
                OutChannels: Dim(unet, "out.2.weight", 0),
                CrossAttentionDim: crossAttentionKey is null ? null : (int)unet[crossAttentionKey][1],
                UseLinearProjection: projectionKey is not null && unet[projectionKey].Length == 2,
                TransformerLayersPerBlock: transformerLayers);
        }
        catch (InvalidDataException e)
        {
            problems.Add($"the UNet ({CompVisCheckpoint.UNetPrefix}*) has an unexpected structure: {e.Message}");
            return null;
        }
    }

    static DetectedVae? DetectVae(Dictionary<string, long[]> vae, List<string> problems)
    {
        if (vae.Count == 0) return null;
        try
        {
            var encoderBlocks = vae.Keys.Select(k => VaeEncoderBlock.Match(k)).Where(m => m.Success)
                .Select(m => (Level: Number(m, "level"), Layer: Number(m, "layer"))).Distinct().ToList();
            if (encoderBlocks.Count == 0) throw new InvalidDataException("no encoder.down.N.block.M resnets");
            int levels = encoderBlocks.Max(b => b.Level) + 1;
            int layers = encoderBlocks.Count(b => b.Level == 0);
            var channels = Enumerable.Range(0, levels).Select(level => Dim(vae, $"encoder.down.{level}.block.0.conv1.weight", 0)).ToList();
            return new DetectedVae(
                new VaeLayout(levels, layers),
                channels,
                InChannels: Dim(vae, "encoder.conv_in.weight", 1),
                OutChannels: Dim(vae, "decoder.conv_out.weight", 0),
                LatentChannels: Dim(vae, "decoder.conv_in.weight", 1));
        }
        catch (InvalidDataException e)
        {
            problems.Add($"the VAE ({CompVisCheckpoint.VaePrefix}*) has an unexpected structure: {e.Message}");
            return null;
        }
    }

    static DetectedTextEncoder? DetectClip(Dictionary<string, long[]> clip, List<string> problems)
    {
        if (clip.Count == 0) return null;
        var inner = clip.ToDictionary(p => ClipTextNames.Inner(p.Key), p => p.Value);
        try
        {
            int layers = CountLayers(inner.Keys, ClipLayer);
            return new DetectedTextEncoder(
                TextEncoderFormat.Clip,
                HiddenSize: Dim(inner, ClipTextNames.TokenEmbedding, 1),
                IntermediateSize: Dim(inner, "encoder.layers.0.mlp.fc1.weight", 0),
                LayersInFile: layers,
                VocabSize: Dim(inner, ClipTextNames.TokenEmbedding, 0),
                MaxPositionEmbeddings: Dim(inner, ClipTextNames.PositionEmbedding, 0),
                new TextEncoderLayout(layers));
        }
        catch (InvalidDataException e)
        {
            problems.Add($"the CLIP text encoder ({CompVisCheckpoint.ClipPrefix}*) has an unexpected structure: {e.Message}");
            return null;
        }
    }

    static DetectedTextEncoder? DetectOpenClip(Dictionary<string, long[]> openClip, List<string> problems)
    {
        if (openClip.Count == 0) return null;
        try
        {
            int layers = CountLayers(openClip.Keys, OpenClipLayer);
            if (layers < 2) throw new InvalidDataException($"{layers} resblock(s); SD 2.x conditions on the penultimate one");
            return new DetectedTextEncoder(
                TextEncoderFormat.OpenClip,
                HiddenSize: Dim(openClip, "token_embedding.weight", 1),
                IntermediateSize: Dim(openClip, "transformer.resblocks.0.mlp.c_fc.weight", 0),
                LayersInFile: layers,
                VocabSize: Dim(openClip, "token_embedding.weight", 0),
                MaxPositionEmbeddings: Dim(openClip, "positional_embedding", 0),
                // SD 2.x conditions on the penultimate layer, so diffusers' text encoder leaves the last one out.
                new TextEncoderLayout(layers - 1));
        }
        catch (InvalidDataException e)
        {
            problems.Add($"the OpenCLIP text encoder ({CompVisCheckpoint.OpenClipPrefix}*) has an unexpected structure: {e.Message}");
            return null;
        }
    }

    /// <summary>Block index → the (part, rest of name) pairs under it.</summary>
    static Dictionary<int, List<(int Part, string Tail)>> Blocks(Dictionary<string, long[]> unet, Regex pattern, string listName)
    {
        var blocks = new Dictionary<int, List<(int, string)>>();
        foreach (var match in unet.Keys.Select(k => pattern.Match(k)).Where(m => m.Success))
        {
            int block = Number(match, "block");
            if (!blocks.TryGetValue(block, out var parts)) blocks[block] = parts = [];
            parts.Add((Number(match, "part"), match.Groups["rest"].Value));
        }
        if (!blocks.ContainsKey(0)) throw new InvalidDataException($"there is no {listName}.0");
        return blocks;
    }

    static int CountLayers(IEnumerable<string> names, Regex layer)
    {
        var indices = names.Select(n => layer.Match(n)).Where(m => m.Success).Select(m => Number(m, "layer")).Distinct().ToList();
        if (indices.Count == 0) throw new InvalidDataException("no layers");
        if (indices.Max() != indices.Count - 1) throw new InvalidDataException($"layers are not numbered 0..{indices.Count - 1}");
        return indices.Count;
    }

    static int Number(Match match, string group) => int.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);

    static int Dim(IReadOnlyDictionary<string, long[]> shapes, string name, int dim) =>
        shapes.TryGetValue(name, out var shape) && shape.Length > dim && shape[dim] <= int.MaxValue
            ? (int)shape[dim]
            : throw new InvalidDataException(shapes.ContainsKey(name) ? $"'{name}' has shape [{string.Join(", ", shape!)}]" : $"'{name}' is missing");
}
