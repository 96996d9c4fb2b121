using DiffusionTune.IO.Formats;
using DiffusionTune.IO.Safetensors;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Formats;

/// <summary>The reference single file against the reference diffusers files, tensor by tensor, in both directions.</summary>
public class CompVisSingleFileTests
{
    static readonly (ModelComponent Component, string[] Path)[] DiffusersFiles =
    [
        (ModelComponent.UNet, ["unet", "diffusion_pytorch_model.safetensors"]),
        (ModelComponent.Vae, ["vae", "diffusion_pytorch_model.safetensors"]),
        (ModelComponent.TextEncoder, ["text_encoder", "model.safetensors"]),
    ];

    const string PositionIds = "text_model.embeddings.position_ids";

    [Fact]
    public void Splitting_the_fixture_gives_the_diffusers_tensors_bit_for_bit()
    {
        using var scope = NewDisposeScope();
        using var single = SafetensorsFile.Open(TestPaths.Fixture("compvis_single_file.safetensors"));
        var conversion = CompVisCheckpoint.Split(single, FormatTestData.FixtureLayout());

        Assert.Empty(conversion.Unknown);
        Assert.Equal(
            CompVisCheckpoint.ScheduleBufferNames.Append(CompVisCheckpoint.ClipPrefix + PositionIds).Order(),
            conversion.Ignored.Order());

        foreach (var (component, path) in DiffusersFiles)
        {
            using var reference = SafetensorsFile.Open(TestPaths.Fixture(path));
            var plan = conversion[component];
            Assert.Equal(reference.Names.Where(n => n != PositionIds).Order(), plan.Targets.Order());
            foreach (var (name, tensor) in plan.Stream(single))
            {
                using (tensor)
                using (var expected = reference.Load(name))
                    FormatTestData.AssertBitIdentical(expected, tensor, name);
            }
        }
    }

    [Fact]
    public void Writing_a_single_file_from_the_diffusers_files_gives_the_fixture_back()
    {
        using var scope = NewDisposeScope();
        var components = DiffusersFiles.ToDictionary(f => f.Component, f =>
        {
            using var file = SafetensorsFile.Open(TestPaths.Fixture(f.Path));
            return file.LoadAll();
        });
        var conversion = CompVisCheckpoint.Build(
            components[ModelComponent.UNet].Keys, components[ModelComponent.Vae].Keys, components[ModelComponent.TextEncoder].Keys,
            FormatTestData.FixtureLayout(), TextEncoderFormat.Clip);
        Assert.Empty(conversion.Unknown);

        var path = Path.Combine(TestPaths.TempFolder(), "single.safetensors");
        CompVisCheckpoint.Save(path, conversion,
            components[ModelComponent.UNet], components[ModelComponent.Vae], components[ModelComponent.TextEncoder],
            new Dictionary<string, string> { ["format"] = "pt" });

        using var written = SafetensorsFile.Open(path);
        using var reference = SafetensorsFile.Open(TestPaths.Fixture("compvis_single_file.safetensors"));
        Assert.Equal(reference.Names.Where(n => !CompVisCheckpoint.ScheduleBufferNames.Contains(n)).Order(), written.Names.Order());
        foreach (var entry in written.Entries)
        {
            using var actual = written.Load(entry);
            using var expected = reference.Load(entry.Name);
            FormatTestData.AssertBitIdentical(expected, actual, entry.Name);
        }

        // The caller's tensors are untouched by the write (identity targets are new handles, not the same ones).
        Assert.All(components.Values.SelectMany(c => c.Values), t => Assert.False(t.IsInvalid));
    }

    [Fact]
    public void Detection_reads_the_fixture_architecture_from_shapes()
    {
        using var single = SafetensorsFile.Open(TestPaths.Fixture("compvis_single_file.safetensors"));
        var detection = CheckpointDetector.Detect(single);

        Assert.True(detection.IsSupported, string.Join("; ", detection.Problems));
        Assert.Equal(CheckpointFamily.StableDiffusion1, detection.Family);
        Assert.Equal(PredictionTypeHint.Epsilon, detection.Prediction);
        Assert.False(detection.HasEmaWeights);
        Assert.False(detection.IsInpainting);

        var unet = detection.UNet!;
        Assert.Equal(new UNetLayout([2, 2], [true, false], [false, true]), unet.Layout);
        Assert.Equal([32, 64], unet.BlockOutChannels);
        Assert.Equal((4, 4, 16, false, 1), (unet.InChannels, unet.OutChannels, unet.CrossAttentionDim, unet.UseLinearProjection, unet.TransformerLayersPerBlock));

        var vae = detection.Vae!;
        Assert.Equal(new VaeLayout(2, 1), vae.Layout);
        Assert.Equal([32, 64], vae.BlockOutChannels);
        Assert.Equal((3, 3, 4), (vae.InChannels, vae.OutChannels, vae.LatentChannels));

        var text = detection.TextEncoder!;
        Assert.Equal((TextEncoderFormat.Clip, 16, 37, 5, 49408, 77), (text.Format, text.HiddenSize, text.IntermediateSize, text.LayersInFile, text.VocabSize, text.MaxPositionEmbeddings));
        Assert.Equal(new TextEncoderLayout(5), text.Layout);

        Assert.Equal(FormatTestData.FixtureLayout(), detection.Layout);
        // The detected layout splits the file exactly as the config's layout does.
        var byDetection = CompVisCheckpoint.Split(single, detection.Layout!);
        var byConfig = CompVisCheckpoint.Split(single, FormatTestData.FixtureLayout());
        foreach (var component in Enum.GetValues<ModelComponent>())
            Assert.Equal(byConfig[component].Recipes, byDetection[component].Recipes);
    }
}
