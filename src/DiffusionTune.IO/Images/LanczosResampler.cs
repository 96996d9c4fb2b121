namespace DiffusionTune.IO.Images;

/// <summary>
/// Separable Lanczos-3 resampling of packed RGBA8888 pixels, antialiased the way PIL's <c>Image.resize(LANCZOS)</c> is:
/// when shrinking, the kernel is widened by the scale factor so every source pixel contributes. Skia 2.88 offers
/// only mipmap or fixed-width cubic filtering, which alias or blur on the large reductions training data needs.
/// </summary>
static class LanczosResampler
{
    const double Lobes = 3.0;

    /// <param name="premultiplied">The pixels carry premultiplied alpha, so no colour may exceed its alpha.</param>
    public static byte[] Resize(ReadOnlySpan<byte> rgba, int inWidth, int inHeight, int outWidth, int outHeight, bool premultiplied)
    {
        var columns = Taps(inWidth, outWidth);
        var rows = Taps(inHeight, outHeight);

        // Horizontal pass into floats, so the vertical pass sees unrounded values.
        int inStride = inWidth * 4, midStride = outWidth * 4;
        var middle = new float[inHeight * midStride];
        for (int y = 0; y < inHeight; y++)
        {
            var sourceRow = rgba.Slice(y * inStride, inStride);
            var targetRow = middle.AsSpan(y * midStride, midStride);
            for (int x = 0; x < outWidth; x++)
            {
                var (first, weights) = columns[x];
                float r = 0, g = 0, b = 0, a = 0;
                for (int k = 0; k < weights.Length; k++)
                {
                    int s = (first + k) * 4;
                    float w = weights[k];
                    r += sourceRow[s] * w;
                    g += sourceRow[s + 1] * w;
                    b += sourceRow[s + 2] * w;
                    a += sourceRow[s + 3] * w;
                }
                targetRow[x * 4] = r;
                targetRow[x * 4 + 1] = g;
                targetRow[x * 4 + 2] = b;
                targetRow[x * 4 + 3] = a;
            }
        }

        var output = new byte[outHeight * midStride];
        var sum = new float[midStride];
        for (int y = 0; y < outHeight; y++)
        {
            var (first, weights) = rows[y];
            Array.Clear(sum);
            for (int k = 0; k < weights.Length; k++)
            {
                var sourceRow = middle.AsSpan((first + k) * midStride, midStride);
                float w = weights[k];
                for (int i = 0; i < midStride; i++) sum[i] += sourceRow[i] * w;
            }
            var targetRow = output.AsSpan(y * midStride, midStride);
            for (int i = 0; i < midStride; i += 4)
            {
                byte alpha = ToByte(sum[i + 3]);
                byte limit = premultiplied ? alpha : (byte)255;
                targetRow[i] = Math.Min(ToByte(sum[i]), limit);
                targetRow[i + 1] = Math.Min(ToByte(sum[i + 1]), limit);
                targetRow[i + 2] = Math.Min(ToByte(sum[i + 2]), limit);
                targetRow[i + 3] = alpha;
            }
        }
        return output;
    }

    static byte ToByte(float value) => (byte)Math.Clamp((int)MathF.Round(value), 0, 255);

    /// <summary>For each output index, the first source index it reads and the normalised weights from there on.</summary>
    static (int First, float[] Weights)[] Taps(int inSize, int outSize)
    {
        double scale = (double)inSize / outSize;
        double widen = Math.Max(scale, 1.0);
        double support = Lobes * widen;
        var taps = new (int, float[])[outSize];
        for (int i = 0; i < outSize; i++)
        {
            double center = (i + 0.5) * scale;
            int first = Math.Max(0, (int)Math.Floor(center - support + 0.5));
            int end = Math.Min(inSize, (int)Math.Floor(center + support + 0.5));
            var weights = new double[end - first];
            double total = 0;
            for (int k = 0; k < weights.Length; k++)
            {
                weights[k] = Lanczos((first + k + 0.5 - center) / widen);
                total += weights[k];
            }
            taps[i] = (first, weights.Select(w => (float)(total == 0 ? 0 : w / total)).ToArray());
        }
        return taps;
    }

    static double Lanczos(double x)
    {
        if (x == 0) return 1;
        if (Math.Abs(x) >= Lobes) return 0;
        double px = Math.PI * x;
        return Lobes * Math.Sin(px) * Math.Sin(px / Lobes) / (px * px);
    }
}
