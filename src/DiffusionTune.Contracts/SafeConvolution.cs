using static TorchSharp.torch;

namespace DiffusionTune.Contracts;

/// <summary>
/// The 2-D convolution that every model and every trainer plugin runs instead of <c>nn.functional.conv2d</c>.
/// On some CPUs (measured: AMD EPYC with AVX-512 and avx512_bf16) libtorch's convolution kernels compute wrong results,
/// silently, for channel counts that are not multiples of 16 or 32: wrong fp32 input gradients when the output channels
/// are not a multiple of 16 (the UNet's <c>conv_out</c>, 4 channels), wrong and non-finite bf16 outputs for the same,
/// wrong bf16 input gradients from 3 or 4 input channels, wrong stride-2 results from 17, 24, 48 or 80 input channels.
/// Which shapes fail also depends on the batch and image size, so no probe can clear a shape once and for all. Zero
/// padding leaves the result and the gradients of the real weights and input unchanged, so this convolution pads the
/// output channels to a multiple of <see cref="OutputChannelBlock"/> and, where the kernels that read them can be wrong
/// (an input gradient will be taken, a stride, a 1×1 kernel), the input channels to a multiple of
/// <see cref="InputChannelBlock"/>; every measured case is then right. A 3×3 stride-1 convolution of an input that needs no
/// gradient (the UNet's and the VAE's first layers) keeps its few input channels: padding them would make libtorch pick a
/// kernel up to 30× slower, and those forward passes are right as they are. Counts that are already multiples cost
/// nothing (every inner layer of SD 1.x/2.x/XL models). Model layers are <c>Convolution</c> modules that already run
/// through it; a plugin that convolves with weights of its own (LoCon factors, say) calls it instead of
/// <c>nn.functional.conv2d</c>. Added in contract 1.4.
/// </summary>
public static class SafeConvolution
{
    /// <summary>Output channel counts are padded up to a multiple of this.</summary>
    public const int OutputChannelBlock = 16;

    /// <summary>Input channel counts are padded up to a multiple of this where they are padded.</summary>
    public const int InputChannelBlock = 32;

    /// <summary>Off only in tests that must show what the unpadded kernels do on the host running them.</summary>
    internal static bool PadChannels { get; set; } = true;

    /// <summary>
    /// <c>nn.functional.conv2d</c> with the same arguments and result, computed with channel counts padded as described
    /// above. Grouped convolutions (<paramref name="groups"/> &gt; 1) run unpadded: padding every group would multiply a
    /// depthwise convolution's cost by up to a thousand.
    /// </summary>
    /// <param name="input"><c>[batch, in, height, width]</c> or <c>[in, height, width]</c>.</param>
    /// <param name="weight"><c>[out, in / groups, kh, kw]</c>.</param>
    /// <param name="bias"><c>[out]</c>, or none.</param>
    /// <param name="stride">Per dimension, or one value for both (default 1).</param>
    /// <param name="padding">Zero padding per dimension, or one value for both (default 0).</param>
    /// <param name="dilation">Per dimension, or one value for both (default 1).</param>
    /// <param name="groups">Blocked connections from input to output channels (default 1).</param>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias = null, long[]? stride = null, long[]? padding = null,
        long[]? dilation = null, long groups = 1)
    {
        stride ??= [1];
        padding ??= [0];
        dilation ??= [1];
        long outChannels = weight.shape[0], inChannels = weight.shape[1];
        long extraOut = RoundUp(outChannels, OutputChannelBlock) - outChannels;
        bool inputKernelsAtRisk = input.requires_grad || stride.Any(step => step != 1) || weight.shape[2] * weight.shape[3] == 1;
        long extraIn = inputKernelsAtRisk ? RoundUp(inChannels, InputChannelBlock) - inChannels : 0;
        if (!PadChannels || groups != 1 || extraOut == 0 && extraIn == 0)
            return nn.functional.conv2d(input, weight, bias, stride, padding, dilation, groups);

        using var scope = NewDisposeScope();
        // F.pad lists (left, right) pairs from the last dimension back: width, height, then channels (then outputs).
        var paddedInput = extraIn == 0 ? input : nn.functional.pad(input, [0, 0, 0, 0, 0, extraIn]);
        var paddedWeight = nn.functional.pad(weight, [0, 0, 0, 0, 0, extraIn, 0, extraOut]);
        var paddedBias = bias is null || extraOut == 0 ? bias : nn.functional.pad(bias, [0, extraOut]);
        var output = nn.functional.conv2d(paddedInput, paddedWeight, paddedBias, stride, padding, dilation);
        if (extraOut != 0) output = output.narrow(-3, 0, outChannels).contiguous();
        return scope.MoveToOuter(output);
    }

    static long RoundUp(long channels, long block) => (channels + block - 1) / block * block;
}
