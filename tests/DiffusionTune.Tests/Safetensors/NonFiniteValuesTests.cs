using DiffusionTune.IO;
using DiffusionTune.IO.Safetensors;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Safetensors;

/// <summary>NaN and ±∞ are counted exactly in every float dtype, and a safetensors tensor holding any is refused by name where it is read.</summary>
public class NonFiniteValuesTests
{
    static readonly ScalarType[] FloatTypes = [ScalarType.Float16, ScalarType.BFloat16, ScalarType.Float32, ScalarType.Float64];

    [Fact]
    public void The_bit_count_agrees_with_torch_for_random_lengths_positions_and_dtypes()
    {
        var random = new Random(1);
        foreach (var dtype in FloatTypes)
        {
            for (int draw = 0; draw < 40; draw++)
            {
                // Lengths around the vector widths exercise the vector loop and its scalar tail.
                int length = random.Next(0, 3) switch { 0 => random.Next(0, 70), 1 => random.Next(60, 600), _ => random.Next(1000, 20000) };
                using var scope = NewDisposeScope();
                // Finite extremes must not be counted: the largest finite value, subnormals, -0.
                var values = (randn(length, dtype: ScalarType.Float64) * Math.Pow(10, random.Next(-30, 30))).to(dtype);
                if (length > 0) values[0] = -0.0;
                foreach (var special in new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity })
                {
                    for (int k = random.Next(0, 4); k > 0 && length > 0; k--) values[random.Next(length)] = special;
                }
                long expected = length - values.isfinite().sum().item<long>();
                Assert.Equal(expected, NonFiniteValues.Count(values));
                Assert.Equal(expected, NonFiniteValues.Count(values.bytes, dtype));
            }
        }
    }

    [Theory]
    [InlineData(ScalarType.Int32)]
    [InlineData(ScalarType.Int64)]
    [InlineData(ScalarType.Byte)]
    [InlineData(ScalarType.Bool)]
    public void Integer_and_bool_tensors_have_no_non_finite_values(ScalarType dtype)
    {
        // All bits set: as a float of the same width that would be a NaN.
        using var allOnes = full(new long[] { 64 }, -1, dtype: ScalarType.Int64).to(dtype);
        Assert.Equal(0, NonFiniteValues.Count(allOnes));
    }

    [Theory]
    [InlineData(ScalarType.Float16)]
    [InlineData(ScalarType.BFloat16)]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float64)]
    public void A_tensor_with_nan_or_inf_is_refused_naming_the_file_the_tensor_and_the_count(ScalarType dtype)
    {
        using var scratch = new ScratchFolder();
        var path = scratch.File("weights.safetensors");
        using var broken = randn(4, 8).to(dtype);
        broken[1, 2] = double.NaN;
        broken[3, 7] = double.NegativeInfinity;
        using var fine = randn(3);
        SafetensorsWriter.Save(path, [new("fine", fine), new("layer.weight", broken)]);

        using var file = SafetensorsFile.Open(path);
        using var read = file.Load("fine");
        var error = Assert.Throws<ModelFileException>(() => file.Load("layer.weight"));
        Assert.Equal($"{path}: tensor 'layer.weight' has 2 non-finite values (NaN/Inf)", error.Message);
    }
}
