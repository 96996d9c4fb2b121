using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionTune.IO.Images;

/// <summary>
/// Converts between bitmaps and the float tensors the VAE works on: channels first, RGB, values in [-1, 1].
/// Pixels move as one block of bytes per image; the arithmetic runs in torch.
/// </summary>
public static class ImageTensors
{
    /// <summary>
    /// A float32 CPU tensor [3, H, W] with each 8-bit value v mapped to v/255·2−1. Alpha is ignored: load with
    /// <see cref="ImageLoader.LoadRgb"/> to composite transparency first.
    /// </summary>
    public static Tensor ToTensor(SKBitmap bitmap)
    {
        using var batch = ToBatch([bitmap]);
        return batch.squeeze(0);
    }

    /// <summary>A float32 CPU tensor [B, 3, H, W] of same-sized bitmaps, each converted as <see cref="ToTensor"/> does.</summary>
    public static Tensor ToBatch(IReadOnlyList<SKBitmap> bitmaps)
    {
        if (bitmaps.Count == 0) throw new ArgumentException("no bitmaps to convert", nameof(bitmaps));
        int width = bitmaps[0].Width, height = bitmaps[0].Height;
        using var scope = NewDisposeScope();
        var rgba = empty([bitmaps.Count, height, width, 4], ScalarType.Byte);
        for (int i = 0; i < bitmaps.Count; i++)
        {
            if (bitmaps[i].Width != width || bitmaps[i].Height != height)
                throw new ArgumentException($"bitmap {i} is {bitmaps[i].Width}x{bitmaps[i].Height}, the first is {width}x{height}", nameof(bitmaps));
            using var slot = rgba.narrow(0, i, 1);
            RgbaPixels.Read(bitmaps[i], SKAlphaType.Unpremul).CopyTo(slot.bytes);
        }
        // (v/255 − 0.5)/0.5, the order torchvision's ToTensor + Normalize([0.5], [0.5]) computes it in.
        var unit = rgba.narrow(3, 0, 3).permute(0, 3, 1, 2).to_type(ScalarType.Float32).div(255f);
        return unit.sub(0.5f).div(0.5f).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>One image [3, H, W] in [-1, 1] (any float dtype, any device) to an opaque RGBA8888 bitmap.</summary>
    public static SKBitmap ToBitmap(Tensor image)
    {
        if (image.dim() != 3)
            throw new ArgumentException($"expected an image tensor [3, H, W], got [{string.Join(", ", image.shape)}]", nameof(image));
        return ToBitmaps(image)[0];
    }

    /// <summary>
    /// Images [B, 3, H, W] (or one [3, H, W]) in [-1, 1] to opaque RGBA8888 bitmaps, quantised as diffusers and PIL
    /// do: <c>round(clamp(x/2 + 0.5, 0, 1)·255)</c>.
    /// </summary>
    public static SKBitmap[] ToBitmaps(Tensor images)
    {
        if (images.dim() is not (3 or 4) || images.shape[^3] != 3)
            throw new ArgumentException($"expected images [B, 3, H, W] or [3, H, W], got [{string.Join(", ", images.shape)}]", nameof(images));
        using var scope = NewDisposeScope();
        var batch = images.dim() == 3 ? images.unsqueeze(0) : images;
        // Quantise on the tensor's own device so only bytes travel to the CPU.
        var bytes = batch.detach().to_type(ScalarType.Float32).div(2f).add(0.5f).clamp(0f, 1f).mul(255f).round().to_type(ScalarType.Byte);
        var rgb = bytes.permute(0, 2, 3, 1);
        var alpha = full([rgb.shape[0], rgb.shape[1], rgb.shape[2], 1], (byte)255, ScalarType.Byte, rgb.device);
        var rgba = cat([rgb, alpha], 3).cpu().contiguous();

        int height = (int)rgba.shape[1], width = (int)rgba.shape[2];
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        var result = new SKBitmap[rgba.shape[0]];
        for (int i = 0; i < result.Length; i++)
        {
            using var slot = rgba.narrow(0, i, 1);
            result[i] = RgbaPixels.ToBitmap(info, slot.bytes);
        }
        return result;
    }
}
