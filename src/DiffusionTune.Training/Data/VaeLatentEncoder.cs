using System.Runtime.ExceptionServices;
using DiffusionTune.IO.Images;
using DiffusionTune.Models.Runtime;
using DiffusionTune.Models.Vae;
using SkiaSharp;
using static TorchSharp.torch;

namespace DiffusionTune.Training.Data;

/// <summary>
/// Encodes image variants with a frozen VAE: renders their pixels, encodes them in batches of
/// <see cref="BatchSize"/> on the VAE's device and in its dtype (the run's dtype; fp16 runs keep the VAE in fp32, as
/// diffusers' force_upcast does) with gradients off, and returns the latent distributions in UNet space. Used to fill
/// a <see cref="LatentCache"/>, and as the latent source itself when latents are not cached (random crop).
/// </summary>
public sealed class VaeLatentEncoder : ILatentSource
{
    /// <summary>Encodes with <paramref name="vae"/>, <paramref name="batchSize"/> images at a time.</summary>
    public VaeLatentEncoder(AutoencoderKL vae, int batchSize = 4)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        Vae = vae;
        BatchSize = batchSize;
    }

    /// <summary>The VAE.</summary>
    public AutoencoderKL Vae { get; }

    /// <summary>Images per encoder call.</summary>
    public int BatchSize { get; }

    /// <summary>The latent shape [C, h, w] of an image of <paramref name="size"/>.</summary>
    public long[] LatentShape(ImageSize size)
    {
        int factor = Vae.Config.DownsamplingFactor;
        return [Vae.Config.LatentChannels, size.Height / factor, size.Width / factor];
    }

    /// <summary>
    /// The latent distribution of each variant ([C, h, w] each, float32 CPU, scaled), in the order given; variants of
    /// different sizes are encoded in separate batches. <paramref name="progress"/> hears (done, total) after each batch;
    /// cancelling stops it before the next batch.
    /// </summary>
    public IReadOnlyList<LatentMoments> Encode(IReadOnlyList<ImageVariant> variants, Action<int, int>? progress = null, CancellationToken cancellation = default)
    {
        var results = new LatentMoments[variants.Count];
        var parameter = Vae.parameters().First();
        var config = Vae.Config;
        int done = 0;
        try
        {
            foreach (var sameSize in Enumerable.Range(0, variants.Count).GroupBy(i => variants[i].Size))
            {
                foreach (var chunk in sameSize.Chunk(BatchSize))
                {
                    cancellation.ThrowIfCancellationRequested();
                    using var scope = NewDisposeScope();
                    using var noGrad = no_grad();
                    var images = HostToDevice.Move(Render(chunk.Select(i => variants[i]).ToArray()), parameter.device, parameter.dtype);
                    using var distribution = Vae.Encode(images);
                    var mean = distribution.Mean.to(ScalarType.Float32).cpu();
                    if (config.ShiftFactor is double shift) mean = mean - shift;
                    mean = mean * config.ScalingFactor;
                    var std = distribution.Std.to(ScalarType.Float32).cpu() * config.ScalingFactor;
                    for (int j = 0; j < chunk.Length; j++)
                        results[chunk[j]] = new LatentMoments(mean[j].clone(), std[j].clone());
                    done += chunk.Length;
                    progress?.Invoke(done, variants.Count);
                }
            }
            return results;
        }
        catch
        {
            foreach (var moments in results) moments?.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public Tensor Sample(IReadOnlyList<ImageVariant> variants, Generator random)
    {
        var moments = Encode(variants);
        try
        {
            using var batch = LatentMoments.Stack(moments);
            return batch.Sample(random);
        }
        finally
        {
            foreach (var item in moments) item.Dispose();
        }
    }

    static Tensor Render(IReadOnlyList<ImageVariant> variants)
    {
        var bitmaps = new SKBitmap[variants.Count];
        try
        {
            // Decoding and Lanczos resizing of large photos dominate; the images are independent.
            Parallel.For(0, variants.Count, i => bitmaps[i] = variants[i].Render());
            return ImageTensors.ToBatch(bitmaps);
        }
        catch (AggregateException e)
        {
            // Report the image that failed (an ImageFileException naming it), not the parallel loop.
            ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
            throw;
        }
        finally
        {
            foreach (var bitmap in bitmaps) bitmap?.Dispose();
        }
    }
}
