using DiffusionTune.IO.Images;

namespace DiffusionTune.Tests.Images;

public class GenerationParametersTests
{
    static readonly GenerationParameters Full = new()
    {
        Prompt = "a lighthouse at dusk, (oil painting:1.2)\nsecond line",
        NegativePrompt = "blurry, lowres",
        Steps = 20,
        Sampler = "Euler a",
        ScheduleType = "Karras",
        CfgScale = 7,
        Seed = 3932468021,
        Width = 512,
        Height = 768,
        ModelHash = "6ce0161689",
        ModelName = "v1-5-pruned-emaonly",
        ClipSkip = 2,
        Extra = [new("Denoising strength", "0.7"), new("Lora hashes", "detail: 0123456789ab, style: ba9876543210")],
        Version = "DiffusionTune 0.1.0",
    };

    [Fact]
    public void Writes_the_a1111_layout_and_key_order()
    {
        Assert.Equal(
            "a lighthouse at dusk, (oil painting:1.2)\nsecond line\n"
            + "Negative prompt: blurry, lowres\n"
            + "Steps: 20, Sampler: Euler a, Schedule type: Karras, CFG scale: 7, Seed: 3932468021, Size: 512x768, "
            + "Model hash: 6ce0161689, Model: v1-5-pruned-emaonly, Clip skip: 2, Denoising strength: 0.7, "
            + "Lora hashes: \"detail: 0123456789ab, style: ba9876543210\", Version: DiffusionTune 0.1.0",
            Full.ToParametersText());
    }

    [Fact]
    public void Leaves_out_what_is_absent()
    {
        var minimal = new GenerationParameters { Prompt = "cat", Steps = 30, Sampler = "DPM++ 2M", CfgScale = 7.5, Seed = 1, Width = 640, Height = 448 };

        Assert.Equal("cat\nSteps: 30, Sampler: DPM++ 2M, CFG scale: 7.5, Seed: 1, Size: 640x448", minimal.ToParametersText());
    }

    [Fact]
    public void Round_trips_through_its_text()
    {
        Assert.Equal(Full, GenerationParameters.Parse(Full.ToParametersText()));
        var minimal = Full with { NegativePrompt = "", ScheduleType = null, ModelHash = null, ModelName = null, ClipSkip = null, Extra = [], Version = null };
        Assert.Equal(minimal, GenerationParameters.Parse(minimal.ToParametersText()));
    }

    [Fact]
    public void Quotes_values_holding_commas_colons_newlines_and_keeps_quotes_and_backslashes_exact()
    {
        var tricky = Full with
        {
            ModelName = "my model, v2: \"final\" C:\\models",
            Extra = [new("Note", "line one\nline two\ttabbed"), new("Plain", "no specials here")],
        };

        var text = tricky.ToParametersText();

        Assert.Contains("Model: \"my model, v2: \\\"final\\\" C:\\\\models\"", text);
        Assert.Contains("Note: \"line one\\nline two\\ttabbed\", Plain: no specials here", text);
        Assert.Equal(tricky, GenerationParameters.Parse(text));
    }

    [Fact]
    public void Parses_infotext_as_a1111_writes_it()
    {
        const string infotext =
            "masterpiece, best quality, 1girl, (red hair:1.2), <lora:detail:0.6>\n"
            + "Negative prompt: lowres, bad anatomy, (worst quality:1.4)\n"
            + "Steps: 28, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 6.5, Seed: 2398457, Size: 512x768, "
            + "Model hash: 6ce0161689, Model: v1-5-pruned-emaonly, VAE hash: 735e4c3a44, VAE: vae-ft-mse-840000-ema-pruned.safetensors, "
            + "Denoising strength: 0.45, Clip skip: 2, Hires upscale: 2, Hires upscaler: Latent, "
            + "Lora hashes: \"detail: 0123456789ab\", Version: v1.10.1";

        var parsed = GenerationParameters.Parse(infotext);

        Assert.Equal("masterpiece, best quality, 1girl, (red hair:1.2), <lora:detail:0.6>", parsed.Prompt);
        Assert.Equal("lowres, bad anatomy, (worst quality:1.4)", parsed.NegativePrompt);
        Assert.Equal((28, "DPM++ 2M", "Karras", 6.5, 2398457L), (parsed.Steps, parsed.Sampler, parsed.ScheduleType, parsed.CfgScale, parsed.Seed));
        Assert.Equal((512, 768), (parsed.Width, parsed.Height));
        Assert.Equal(("6ce0161689", "v1-5-pruned-emaonly", 2, "v1.10.1"), (parsed.ModelHash, parsed.ModelName, parsed.ClipSkip, parsed.Version));
        Assert.Equal(
            [
                new("VAE hash", "735e4c3a44"), new("VAE", "vae-ft-mse-840000-ema-pruned.safetensors"),
                new("Denoising strength", "0.45"), new("Hires upscale", "2"), new("Hires upscaler", "Latent"),
                new("Lora hashes", "detail: 0123456789ab"),
            ],
            parsed.Extra);
    }

    [Fact]
    public void Parsing_is_as_tolerant_as_a1111s()
    {
        // Windows line ends, stray spaces, a multi-line negative prompt, "CFG scale: 7.0" as Python writes floats,
        // a repeated key (the last wins) and an old infotext without schedule type.
        const string infotext =
            "  a cat  \r\n  on a mat\r\nNegative prompt:   dog\r\nugly\r\n"
            + "Steps: 20,Sampler: Euler,  CFG scale: 7.0, Seed: 5, Seed: 6, Size: 512x512, Model hash: 45dee52b  ";

        var parsed = GenerationParameters.Parse(infotext);

        Assert.Equal("a cat\non a mat", parsed.Prompt);
        Assert.Equal("dog\nugly", parsed.NegativePrompt);
        Assert.Equal((20, "Euler", 7.0, 6L, "45dee52b"), (parsed.Steps, parsed.Sampler, parsed.CfgScale, parsed.Seed, parsed.ModelHash));
        Assert.Null(parsed.ScheduleType);
        Assert.Null(parsed.ClipSkip);
    }

    [Theory]
    [InlineData("just a prompt with no parameters", "Steps")]
    [InlineData("cat\nSteps: 20, Sampler: Euler, CFG scale: 7, Seed: 1", "Size")]
    [InlineData("cat\nSteps: many, Sampler: Euler, CFG scale: 7, Seed: 1, Size: 512x512", "Steps")]
    [InlineData("cat\nSteps: 20, Sampler: Euler, CFG scale: 7, Seed: 1, Size: big", "Size")]
    public void Malformed_infotext_names_the_entry_at_fault(string infotext, string key)
    {
        var error = Assert.Throws<FormatException>(() => GenerationParameters.Parse(infotext));

        Assert.Contains($"'{key}'", error.Message);
        Assert.False(GenerationParameters.TryParse(infotext, out _));
    }

    [Theory]
    [InlineData("Seed")]
    [InlineData("bad:key")]
    [InlineData("x")]
    public void Extra_keys_that_could_not_be_read_back_are_refused(string key)
    {
        var parameters = Full with { Extra = [new(key, "1")] };

        Assert.Throws<InvalidOperationException>(() => parameters.ToParametersText());
    }

    [Fact]
    public void Survives_a_png_round_trip()
    {
        using var folder = new ScratchFolder();
        using var image = TestImages.Solid(8, 8, SkiaSharp.SKColors.Gray);
        var unicode = Full with { Prompt = "夜の灯台, lighthouse" };
        var path = folder.File("generated.png");

        PngWriter.Write(path, image, [new("parameters", unicode.ToParametersText())]);

        Assert.Equal(unicode, GenerationParameters.Parse(PngTextReader.Find(path, "parameters")!));
    }
}
