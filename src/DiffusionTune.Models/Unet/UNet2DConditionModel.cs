using DiffusionTune.IO.Formats;
using DiffusionTune.Models.Loading;
using DiffusionTune.Models.Blocks;
using DiffusionTune.Models.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Models.Unet;

/// <summary>
/// The Stable Diffusion 1.x/2.x denoising UNet (diffusers' <c>UNet2DConditionModel</c>), built from its
/// <c>config.json</c>. Module and field names mirror diffusers, so <c>state_dict()</c> keys are the diffusers keys.
/// </summary>
public sealed class UNet2DConditionModel : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    public const string WeightsBaseName = "diffusion_pytorch_model";

    private readonly SafeConv2d conv_in;
    private readonly Timesteps time_proj;
    private readonly TimestepEmbedding time_embedding;
    private readonly ModuleList<UNetDownBlock> down_blocks;
    private readonly ModuleList<UNetUpBlock> up_blocks;
    private readonly UNetMidBlock2DCrossAttn mid_block;
    private readonly GroupNorm conv_norm_out;
    private readonly SafeConv2d conv_out;

    public UNet2DConditionModel(UNet2DConditionModelConfig config) : base(nameof(UNet2DConditionModel))
    {
        config.Validate();
        Config = config;
        var channels = config.BlockOutChannels;
        int levels = config.Levels;

        conv_in = Layers.Conv2d(config.InChannels, channels[0], config.ConvInKernel, padding: (config.ConvInKernel - 1) / 2);
        time_proj = new Timesteps(channels[0], config.FlipSinToCos, config.FreqShift);
        time_embedding = new TimestepEmbedding(channels[0], config.TimeEmbedDim, config.TimeCondProjDim);

        var downs = new UNetDownBlock[levels];
        long inChannels = channels[0];
        for (int i = 0; i < levels; i++)
        {
            downs[i] = new UNetDownBlock(config, i, inChannels, config.DownBlockTypes[i] == "CrossAttnDownBlock2D", addDownsample: i < levels - 1);
            inChannels = channels[i];
        }
        down_blocks = nn.ModuleList(downs);

        var ups = new UNetUpBlock[levels];
        long previousOut = channels[levels - 1];
        for (int i = 0; i < levels; i++)
        {
            int level = levels - 1 - i;
            long skipIn = channels[Math.Max(level - 1, 0)];
            ups[i] = new UNetUpBlock(config, i, previousOut, skipIn, config.UpBlockTypes[i] == "CrossAttnUpBlock2D", addUpsample: i < levels - 1);
            previousOut = channels[level];
        }
        up_blocks = nn.ModuleList(ups);
        mid_block = new UNetMidBlock2DCrossAttn(config);

        conv_norm_out = Layers.GroupNorm(config.GroupCount, channels[0], config.NormEps);
        conv_out = Layers.Conv2d(channels[0], config.OutChannels, config.ConvOutKernel, padding: (config.ConvOutKernel - 1) / 2);
        RegisterComponents();
    }

    public UNet2DConditionModelConfig Config { get; }

    /// <summary>
    /// When set, training-mode forwards with grad enabled run each down block, the mid block and each up block through
    /// <see cref="GradientCheckpoint"/>: their activations are recomputed in backward instead of kept, which saves
    /// memory at the cost of about one more forward pass. Eval-mode and no-grad forwards are unaffected. Off by default.
    /// </summary>
    public bool GradientCheckpointing { get; set; }

    /// <summary>Loads a diffusers <c>unet/</c> folder.</summary>
    public static UNet2DConditionModel FromPretrained(string folder, Device? device = null, ScalarType dtype = ScalarType.Float32) =>
        PretrainedComponent.Load<UNet2DConditionModel, UNet2DConditionModelConfig>(
            folder, WeightsBaseName, ModelComponent.UNet, c => new UNet2DConditionModel(c), device ?? CPU, dtype).Model;

    public void SavePretrained(string folder, IReadOnlyDictionary<string, string>? metadata = null) =>
        PretrainedComponent.Save(folder, WeightsBaseName, Config, this, metadata);

    /// <summary>Predicts the noise (or v) in <paramref name="sample"/>.</summary>
    /// <param name="sample">[B, C, H, W] noisy latents.</param>
    /// <param name="timestep">[B] or scalar timesteps.</param>
    /// <param name="context">[B, 77, D] text-encoder hidden states.</param>
    public override Tensor forward(Tensor sample, Tensor timestep, Tensor context)
    {
        using var scope = NewDisposeScope();
        var dtype = conv_in.weight!.dtype;
        long batch = sample.shape[0];
        var timesteps = timestep.dim() == 0 ? timestep.expand(batch) : timestep;
        var embedding = time_embedding.call(time_proj.call(timesteps).to(dtype), null);

        if (Config.CenterInputSample) sample = sample * 2 - 1;
        bool checkpoint = GradientCheckpointing && training && is_grad_enabled();
        var hidden = conv_in.call(sample);
        var skips = new List<Tensor> { hidden };
        foreach (var block in down_blocks)
        {
            (hidden, var blockSkips) = checkpoint
                ? CheckpointedDownBlock(block, hidden, embedding, context)
                : block.call(hidden, embedding, context);
            skips.AddRange(blockSkips);
        }

        hidden = checkpoint
            ? GradientCheckpoint.Run(inputs => [mid_block.call(inputs[0], inputs[1], inputs[2])], hidden, embedding, context)[0]
            : mid_block.call(hidden, embedding, context);

        for (int i = 0; i < up_blocks.Count; i++)
        {
            var block = up_blocks[i];
            var blockSkips = skips.GetRange(skips.Count - block.SkipCount, block.SkipCount).ToArray();
            skips.RemoveRange(skips.Count - block.SkipCount, block.SkipCount);
            // Upsample to the next skip's size rather than ×2, so inputs that are not multiples of 2^levels line up.
            long[]? upsampleSize = i < up_blocks.Count - 1 ? skips[^1].shape[2..] : null;
            hidden = checkpoint
                ? CheckpointedUpBlock(block, hidden, blockSkips, embedding, context, upsampleSize)
                : block.call(hidden, blockSkips, embedding, context, upsampleSize);
        }

        var output = conv_out.call(nn.functional.silu(conv_norm_out.call(hidden)));
        return scope.MoveToOuter(output);
    }

    static (Tensor Hidden, Tensor[] Skips) CheckpointedDownBlock(UNetDownBlock block, Tensor hidden, Tensor embedding, Tensor context)
    {
        // The block's output is its last skip; a checkpoint's outputs must be distinct tensors, so only the skips leave it.
        var skips = GradientCheckpoint.Run(inputs => block.call(inputs[0], inputs[1], inputs[2]).Skips, hidden, embedding, context);
        return (skips[^1], skips);
    }

    static Tensor CheckpointedUpBlock(UNetUpBlock block, Tensor hidden, Tensor[] skips, Tensor embedding, Tensor context, long[]? upsampleSize) =>
        GradientCheckpoint.Run(
            inputs => [block.call(inputs[0], inputs[1..^2], inputs[^2], inputs[^1], upsampleSize)],
            [hidden, .. skips, embedding, context])[0];
}
