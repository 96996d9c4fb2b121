using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json;
using DiffusionTune.IO.Formats;
using DiffusionTune.IO.Safetensors;
using static DiffusionTune.Tests.Adapters.AdapterTestData;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Adapters;

public class KohyaLoraFileTests
{
    [Fact]
    public void A_kohya_lora_file_written_and_read_back_applies_the_same_delta()
    {
        var (model, layers) = TinyModel();
        using var _ = model;
        var written = new List<LowRankLayer>
        {
            RandomLowRank(UNetLayer(layers, SelfAttentionQuery), rank: 4, alpha: 2),
            RandomLowRank(UNetLayer(layers, ProjectIn), rank: 3, alpha: 1),
            RandomLowRank(UNetLayer(layers, ResnetConv), rank: 2, alpha: 0.5),
            RandomLowRank(TextLayer(layers, TextFc1), rank: 4, alpha: 4),
        };
        var path = Path.Combine(TestPaths.TempFolder(), "style.safetensors");
        KohyaLoraWriter.Save(path, written, new KohyaLoraMetadata(), ScalarType.Float32);

        using var read = LoraNetwork.Read(path, layers.Targets);
        Assert.Empty(read.UnknownKeys);
        Assert.Empty(read.UnmatchedKeys);
        Assert.Equal(written.Count, read.Layers.Count);
        foreach (var original in written)
        {
            var again = read.Layers.Single(l => l.Target.Name == original.Target.Name);
            Assert.Equal(original.Rank, again.Rank);
            Assert.Equal(original.Alpha, again.Alpha);
            using var expected = original.Delta(0.7);
            using var actual = again.Delta(0.7);
            Assert.True(TensorAssert.Identical(expected, actual), $"{original.Target}: the delta changed on the way through the file");
            Assert.Equal(original.Target.WeightShape, actual.shape);
        }
        foreach (var layer in written) layer.Dispose();
    }

    [Fact]
    public void Half_precision_files_apply_the_delta_of_the_rounded_factors()
    {
        var (model, layers) = TinyModel();
        using var _ = model;
        using var original = RandomLowRank(UNetLayer(layers, CrossAttentionKey), rank: 4, alpha: 1);
        var path = Path.Combine(TestPaths.TempFolder(), "half.safetensors");
        KohyaLoraWriter.Save(path, [original], new KohyaLoraMetadata());

        using var file = SafetensorsFile.Open(path);
        var name = "lora_unet_down_blocks_1_attentions_0_transformer_blocks_0_attn2_to_k";
        Assert.Equal("F16", file.Entry(name + ".lora_down.weight").Dtype);
        Assert.Equal("F32", file.Entry(name + ".alpha").Dtype);
        Assert.Empty(file.Entry(name + ".alpha").Shape);

        using var rounded = new LowRankLayer(original.Target, original.Down.to(ScalarType.Float16).to(ScalarType.Float32), original.Up.to(ScalarType.Float16).to(ScalarType.Float32), original.Alpha);
        using var read = LoraNetwork.Read(path, layers.Targets);
        using var expected = rounded.Delta();
        using var actual = read.Layers.Single().Delta();
        Assert.True(TensorAssert.Identical(expected, actual));
    }

    [Fact]
    public void The_file_carries_sd_scripts_minimum_metadata_and_its_hashes()
    {
        var (model, layers) = TinyModel();
        using var _ = model;
        // Rank 2304 makes the file longer than 1 MiB + 64 KiB, so the legacy hash covers real bytes.
        var written = new List<LowRankLayer>
        {
            RandomLowRank(UNetLayer(layers, SelfAttentionQuery), rank: 2304, alpha: 8),
            RandomLowRank(UNetLayer(layers, CrossAttentionKey), rank: 8, alpha: 8),
            RandomLowRank(UNetLayer(layers, ProjectIn), rank: 8, alpha: 8),
            RandomLowRank(UNetLayer(layers, ResnetConv), rank: 4, alpha: 1),
        };
        var path = Path.Combine(TestPaths.TempFolder(), "meta.safetensors");
        var training = new Dictionary<string, string> { ["ss_learning_rate"] = "0.0001", ["ss_output_name"] = "meta", ["modelspec.title"] = "meta" };
        KohyaLoraWriter.Save(path, written, new KohyaLoraMetadata { Training = training }, ScalarType.Float32);
        Assert.True(new FileInfo(path).Length > (1 << 20) + (64 << 10));

        IReadOnlyDictionary<string, string> metadata;
        Dictionary<string, Tensor> tensors;
        using (var file = SafetensorsFile.Open(path))
        {
            metadata = file.Metadata;
            tensors = file.LoadAll();
        }
        Assert.Equal("False", metadata["ss_v2"]);
        Assert.Equal("sd_v1", metadata["ss_base_model_version"]);
        Assert.Equal("networks.lora", metadata["ss_network_module"]);
        Assert.Equal("8", metadata["ss_network_dim"]);
        Assert.Equal("8.0", metadata["ss_network_alpha"]);
        var arguments = JsonSerializer.Deserialize<Dictionary<string, string>>(metadata["ss_network_args"])!;
        Assert.Equal("4", arguments["conv_dim"]);
        Assert.Equal("1", arguments["conv_alpha"]);
        Assert.Equal("0.0001", metadata["ss_learning_rate"]);
        Assert.Equal("meta", metadata["modelspec.title"]);

        // sshs_model_hash: SHA-256 of everything after the header (of this very file, whose tensor bytes the hashed copy shares).
        var bytes = File.ReadAllBytes(path);
        long headerLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes.AsSpan((int)(8 + headerLength)))), metadata["sshs_model_hash"]);

        // sshs_legacy_hash: 64 KiB at 1 MiB of the same tensors serialised with only the ss_* metadata.
        var hashedCopy = Path.Combine(TestPaths.TempFolder(), "ss-only.safetensors");
        SafetensorsWriter.Save(hashedCopy, tensors, metadata.Where(m => m.Key.StartsWith("ss_")).ToDictionary());
        var window = File.ReadAllBytes(hashedCopy).AsSpan(1 << 20, 64 << 10);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(window))[..8], metadata["sshs_legacy_hash"]);

        using var read = LoraNetwork.Read(path, layers.Targets);
        Assert.Equal(metadata["sshs_model_hash"][..12], read.ShortHash);
        foreach (var tensor in tensors.Values) tensor.Dispose();
        foreach (var layer in written) layer.Dispose();
    }

    [Fact]
    public void Sd2_v_prediction_metadata_and_derived_keys_cannot_be_overridden()
    {
        var (model, layers) = TinyModel();
        using var _ = model;
        using var layer = RandomLowRank(UNetLayer(layers, SelfAttentionQuery), rank: 2, alpha: 1);
        var path = Path.Combine(TestPaths.TempFolder(), "v2.safetensors");
        KohyaLoraWriter.Save(path, [layer], new KohyaLoraMetadata { V2 = true, VPrediction = true });
        using (var file = SafetensorsFile.Open(path))
        {
            Assert.Equal("True", file.Metadata["ss_v2"]);
            Assert.Equal("sd_v2_v", file.Metadata["ss_base_model_version"]);
            Assert.Equal("{}", file.Metadata["ss_network_args"]);
        }

        var clash = new KohyaLoraMetadata { Training = new Dictionary<string, string> { ["ss_network_dim"] = "32" } };
        var error = Assert.Throws<ArgumentException>(() => KohyaLoraWriter.Save(Path.Combine(TestPaths.TempFolder(), "x.safetensors"), [layer], clash));
        Assert.Contains("ss_network_dim", error.Message);
    }
}
