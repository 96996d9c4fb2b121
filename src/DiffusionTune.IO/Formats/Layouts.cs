namespace DiffusionTune.IO.Formats;

/// <summary>How a single-file checkpoint stores its text encoder.</summary>
public enum TextEncoderFormat
{
    /// <summary>OpenAI CLIP as transformers names it, under <c>cond_stage_model.transformer.</c> (SD 1.x).</summary>
    Clip,

    /// <summary>OpenCLIP ViT-H/14 text tower under <c>cond_stage_model.model.</c> (SD 2.x).</summary>
    OpenClip,
}

/// <summary>
/// The block structure of a UNet2DConditionModel, as far as it decides how tensors are numbered in the CompVis
/// layout: how many resolution levels there are, how many resnets each down level has (up levels have one more),
/// and which levels carry cross-attention transformers. The Models layer builds it from its UNet config.
/// </summary>
public sealed record UNetLayout
{
    /// <param name="layersPerBlock">Resnets per down level, level 0 (full resolution) first.</param>
    /// <param name="downBlockHasAttentions">Per down level (diffusers <c>down_blocks</c> order): a cross-attention block.</param>
    /// <param name="upBlockHasAttentions">Per up block in diffusers <c>up_blocks</c> order (lowest resolution first).</param>
    public UNetLayout(IReadOnlyList<int> layersPerBlock, IReadOnlyList<bool> downBlockHasAttentions, IReadOnlyList<bool> upBlockHasAttentions)
    {
        if (layersPerBlock.Count == 0)
            throw new ArgumentException("a UNet needs at least one level", nameof(layersPerBlock));
        if (layersPerBlock.Any(n => n < 1))
            throw new ArgumentException($"every level needs at least one resnet, got [{string.Join(", ", layersPerBlock)}]", nameof(layersPerBlock));
        if (downBlockHasAttentions.Count != layersPerBlock.Count || upBlockHasAttentions.Count != layersPerBlock.Count)
            throw new ArgumentException($"{layersPerBlock.Count} levels need {layersPerBlock.Count} down and up attention flags, got {downBlockHasAttentions.Count} and {upBlockHasAttentions.Count}");
        LayersPerBlock = [.. layersPerBlock];
        DownBlockHasAttentions = [.. downBlockHasAttentions];
        UpBlockHasAttentions = [.. upBlockHasAttentions];
    }

    public int LevelCount => LayersPerBlock.Count;

    public IReadOnlyList<int> LayersPerBlock { get; }

    public IReadOnlyList<bool> DownBlockHasAttentions { get; }

    public IReadOnlyList<bool> UpBlockHasAttentions { get; }

    /// <summary>Resnets in diffusers up block <paramref name="upBlock"/>: its level's layers_per_block plus one (the skip from the downsampler).</summary>
    public int UpBlockLayerCount(int upBlock) => LayersPerBlock[LevelCount - 1 - upBlock] + 1;

    /// <summary>
    /// From a diffusers UNet config's <c>down_block_types</c>, <c>up_block_types</c> and per-level <c>layers_per_block</c>.
    /// Only the SD 1.x/2.x block types exist here: <c>CrossAttnDownBlock2D</c>, <c>DownBlock2D</c>, <c>CrossAttnUpBlock2D</c>, <c>UpBlock2D</c>.
    /// </summary>
    public static UNetLayout FromBlockTypes(IReadOnlyList<string> downBlockTypes, IReadOnlyList<string> upBlockTypes, IReadOnlyList<int> layersPerBlock) =>
        new(layersPerBlock,
            [.. downBlockTypes.Select(t => HasAttentions(t, "CrossAttnDownBlock2D", "DownBlock2D"))],
            [.. upBlockTypes.Select(t => HasAttentions(t, "CrossAttnUpBlock2D", "UpBlock2D"))]);

    /// <summary>As <see cref="FromBlockTypes(IReadOnlyList{string}, IReadOnlyList{string}, IReadOnlyList{int})"/> with the same layers_per_block on every level.</summary>
    public static UNetLayout FromBlockTypes(IReadOnlyList<string> downBlockTypes, IReadOnlyList<string> upBlockTypes, int layersPerBlock) =>
        FromBlockTypes(downBlockTypes, upBlockTypes, [.. Enumerable.Repeat(layersPerBlock, downBlockTypes.Count)]);

    /// <summary>SD 1.x and 2.x: four levels of two resnets, attention everywhere but the lowest resolution.</summary>
    public static UNetLayout StableDiffusion { get; } = new([2, 2, 2, 2], [true, true, true, false], [false, true, true, true]);

    public bool Equals(UNetLayout? other) =>
        other is not null
        && LayersPerBlock.SequenceEqual(other.LayersPerBlock)
        && DownBlockHasAttentions.SequenceEqual(other.DownBlockHasAttentions)
        && UpBlockHasAttentions.SequenceEqual(other.UpBlockHasAttentions);

    public override int GetHashCode() => HashCode.Combine(LevelCount, LayersPerBlock[0]);

    static bool HasAttentions(string blockType, string withAttention, string without)
    {
        if (blockType == withAttention) return true;
        if (blockType == without) return false;
        throw new ArgumentException($"UNet block type '{blockType}' is not supported (expected {withAttention} or {without})");
    }
}

/// <summary>The block structure of an AutoencoderKL (DownEncoderBlock2D / UpDecoderBlock2D levels).</summary>
public sealed record VaeLayout
{
    /// <param name="levelCount">Resolution levels (length of block_out_channels).</param>
    /// <param name="layersPerBlock">Resnets per encoder level; decoder levels have one more.</param>
    public VaeLayout(int levelCount, int layersPerBlock)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(levelCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(layersPerBlock, 1);
        LevelCount = levelCount;
        LayersPerBlock = layersPerBlock;
    }

    public int LevelCount { get; }

    public int LayersPerBlock { get; }

    /// <summary>The SD 1.x/2.x VAE: four levels of two resnets.</summary>
    public static VaeLayout StableDiffusion { get; } = new(4, 2);
}

/// <summary>
/// The CLIP text encoder's depth as the target model has it. Layers of a checkpoint beyond it are ignored: SD 2.x
/// conditions on the penultimate OpenCLIP layer, so its diffusers text encoder has 23 of the file's 24 layers.
/// </summary>
public sealed record TextEncoderLayout
{
    public TextEncoderLayout(int layerCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(layerCount, 1);
        LayerCount = layerCount;
    }

    public int LayerCount { get; }

    /// <summary>CLIP ViT-L/14 text tower, all 12 layers.</summary>
    public static TextEncoderLayout StableDiffusion1 { get; } = new(12);

    /// <summary>OpenCLIP ViT-H/14 text tower without its last of 24 layers.</summary>
    public static TextEncoderLayout StableDiffusion2 { get; } = new(23);
}

/// <summary>The layouts of all three components: what a single-file conversion needs to know about the architecture.</summary>
public sealed record StableDiffusionLayout(UNetLayout UNet, VaeLayout Vae, TextEncoderLayout TextEncoder)
{
    public static StableDiffusionLayout StableDiffusion1 { get; } = new(UNetLayout.StableDiffusion, VaeLayout.StableDiffusion, TextEncoderLayout.StableDiffusion1);

    public static StableDiffusionLayout StableDiffusion2 { get; } = new(UNetLayout.StableDiffusion, VaeLayout.StableDiffusion, TextEncoderLayout.StableDiffusion2);
}
