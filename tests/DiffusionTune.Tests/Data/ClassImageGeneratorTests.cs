using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.Diffusion.Samplers;
using DiffusionTune.IO.Images;
using DiffusionTune.Tests.Pipelines;
using DiffusionTune.Training.Data;

namespace DiffusionTune.Tests.Data;

public class ClassImageGeneratorTests
{
    static ClassImageSettings Settings(int count, string prompt = "a photo of star") => new()
    {
        ClassPrompt = prompt,
        Count = count,
        Resolution = 16,
        Steps = 2,
        GuidanceScale = 3,
        Sampler = new SamplerChoice(SamplerKind.Euler),
        Seed = 7,
        BatchSize = 2,
    };

    [Fact]
    public void Class_images_are_generated_once_and_reused_and_only_missing_ones_are_added()
    {
        using var cache = new ScratchFolder();
        using var model = StableDiffusionModel.Load(RandomTinyModel.SaveDiffusers());

        var first = new ClassImageGenerator(model).Prepare(Settings(3), cache.Path);
        var written = first.Files.Select(File.GetLastWriteTimeUtc).ToList();
        var second = new ClassImageGenerator(model).Prepare(Settings(3), cache.Path);
        var more = new ClassImageGenerator(model).Prepare(Settings(5), cache.Path);
        var otherPrompt = new ClassImageGenerator(model).Prepare(Settings(1, "a photo of circle"), cache.Path);

        Assert.Equal(3, first.Generated);
        Assert.Equal(["00000-7.png", "00001-8.png", "00002-9.png"], first.Files.Select(Path.GetFileName));
        Assert.Contains(model.ShortHash, first.Folder);
        Assert.StartsWith("a-photo-of-star-", Path.GetFileName(first.Folder));
        Assert.Equal(0, second.Generated);
        Assert.Equal(first.Files, second.Files);
        Assert.Equal(written, second.Files.Select(File.GetLastWriteTimeUtc));
        Assert.Equal(2, more.Generated);
        Assert.Equal(first.Folder, more.Folder);
        Assert.Equal(1, otherPrompt.Generated);
        Assert.NotEqual(first.Folder, otherPrompt.Folder);

        var parameters = GenerationParameters.Parse(PngTextReader.Find(more.Files[4], "parameters")!);
        Assert.Equal((11L, "a photo of star", 16), (parameters.Seed, parameters.Prompt, parameters.Width));
        var set = more.ToImageSet();
        Assert.Equal(5, set.Images.Count);
        Assert.All(set.Images, i => Assert.Equal("a photo of star", i.Caption));
    }

    [Fact]
    public void Generated_class_images_match_single_image_generation_with_their_seed()
    {
        using var cache = new ScratchFolder();
        using var model = StableDiffusionModel.Load(RandomTinyModel.SaveDiffusers());
        var settings = Settings(2);

        var generated = new ClassImageGenerator(model).Prepare(settings, cache.Path);
        using var alone = new TextToImagePipeline(model).Generate(new GenerationRequest
        {
            Prompt = settings.ClassPrompt,
            Steps = settings.Steps,
            GuidanceScale = settings.GuidanceScale,
            Sampler = settings.Sampler,
            Seed = 8,
            Width = 16,
            Height = 16,
        });

        using var expected = ImageTensors.ToBitmap(alone[0]);
        using var saved = ImageLoader.LoadRgb(generated.Files[1]);
        int largest = 0;
        for (int y = 0; y < 16; y++)
            for (int x = 0; x < 16; x++)
            {
                var (a, b) = (expected.GetPixel(x, y), saved.GetPixel(x, y));
                largest = Math.Max(largest, Math.Max(Math.Abs(a.Red - b.Red), Math.Max(Math.Abs(a.Green - b.Green), Math.Abs(a.Blue - b.Blue))));
            }
        Assert.True(largest <= 1, $"image 1 differs from a lone generation with seed 8 by up to {largest}/255");
    }
}
