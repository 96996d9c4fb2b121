using System.Globalization;
using System.Text.Json;
using DiffusionTune.IO.Formats;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Formats;

/// <summary>One line of a manifest TSV: diffusers name, diffusers shape, CompVis name, note.</summary>
sealed record ManifestRow(ModelComponent Component, string Diffusers, long[] Shape, string CompVis, string Note)
{
    public bool IsBuffer => Note.StartsWith("BUFFER", StringComparison.Ordinal);

    /// <summary>The VAE attention weights are 1×1 convolutions in the CompVis layout.</summary>
    public long[] CompVisShape => Note.StartsWith("reshape", StringComparison.Ordinal) ? [.. Shape, 1, 1] : Shape;
}

/// <summary>One line of fixtures/compvis_key_map.tsv.</summary>
sealed record KeyMapRow(string Component, string Diffusers, string CompVis, long[] DiffusersShape, long[] CompVisShape, string Note);

static class FormatTestData
{
    static readonly (string File, ModelComponent Component)[] ManifestFiles =
    [
        ("unet", ModelComponent.UNet),
        ("vae", ModelComponent.Vae),
        ("text_encoder", ModelComponent.TextEncoder),
    ];

    /// <summary>All rows of <c>{preset}_unet.tsv</c>, <c>_vae.tsv</c> and <c>_text_encoder.tsv</c>.</summary>
    public static List<ManifestRow> Manifest(string preset) =>
    [
        .. ManifestFiles.SelectMany(f => File.ReadLines(TestPaths.Data("manifest", $"{preset}_{f.File}.tsv"))
            .Where(line => line.Length > 0)
            .Select(line => line.Split('\t'))
            .Select(cells => new ManifestRow(f.Component, cells[0], Shape(cells[1]), cells[2], cells.Length > 3 ? cells[3] : ""))),
    ];

    public static List<KeyMapRow> KeyMap() =>
    [
        .. File.ReadLines(TestPaths.Fixture("compvis_key_map.tsv")).Skip(1)
            .Where(line => line.Length > 0)
            .Select(line => line.Split('\t'))
            .Select(c => new KeyMapRow(c[0], c[1], c[2], Shape(c[3]), Shape(c[4]), c[5])),
    ];

    /// <summary>The layout of <c>manifest/{preset}_config.json</c>.</summary>
    public static StableDiffusionLayout ManifestLayout(string preset)
    {
        using var config = JsonDocument.Parse(File.ReadAllText(TestPaths.Data("manifest", $"{preset}_config.json")));
        var root = config.RootElement;
        return Layout(root.GetProperty("unet"), root.GetProperty("vae"), root.GetProperty("text_encoder"));
    }

    /// <summary>The layout of the fixture models (fixtures/{unet,vae,text_encoder}/config.json).</summary>
    public static StableDiffusionLayout FixtureLayout()
    {
        using var unet = JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("unet", "config.json")));
        using var vae = JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("vae", "config.json")));
        using var text = JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("text_encoder", "config.json")));
        return Layout(unet.RootElement, vae.RootElement, text.RootElement);
    }

    static StableDiffusionLayout Layout(JsonElement unet, JsonElement vae, JsonElement text)
    {
        var down = Strings(unet.GetProperty("down_block_types"));
        var up = Strings(unet.GetProperty("up_block_types"));
        var layers = unet.GetProperty("layers_per_block");
        var unetLayout = layers.ValueKind == JsonValueKind.Array
            ? UNetLayout.FromBlockTypes(down, up, [.. layers.EnumerateArray().Select(e => e.GetInt32())])
            : UNetLayout.FromBlockTypes(down, up, layers.GetInt32());
        var vaeLayout = new VaeLayout(vae.GetProperty("block_out_channels").GetArrayLength(), vae.GetProperty("layers_per_block").GetInt32());
        return new StableDiffusionLayout(unetLayout, vaeLayout, new TextEncoderLayout(text.GetProperty("num_hidden_layers").GetInt32()));
    }

    static List<string> Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];

    static long[] Shape(string cells) =>
        cells.Length == 0 ? [] : [.. cells.Split(',').Select(d => long.Parse(d, CultureInfo.InvariantCulture))];

    /// <summary>Same dtype, same shape, same bytes.</summary>
    public static void AssertBitIdentical(Tensor expected, Tensor actual, string name)
    {
        Assert.True(expected.dtype == actual.dtype, $"{name}: dtype {actual.dtype}, expected {expected.dtype}");
        Assert.True(expected.shape.SequenceEqual(actual.shape), $"{name}: shape [{string.Join(", ", actual.shape)}], expected [{string.Join(", ", expected.shape)}]");
        using var expectedBytes = expected.contiguous();
        using var actualBytes = actual.contiguous();
        Assert.True(expectedBytes.bytes.SequenceEqual(actualBytes.bytes), $"{name}: the bytes differ");
    }
}
