using DiffusionTune.ShapesWorld;
using SkiaSharp;
using Xunit.Abstractions;

namespace DiffusionTune.Tests.ShapesWorld;

/// <summary>
/// Writes contact sheets of the world to the temp folder, with the captions (row, column: text) in the test output,
/// for a person to look at after changing how scenes are drawn.
/// </summary>
public class ContactSheetTests(ITestOutputHelper output)
{
    const int Columns = 8;

    [Fact]
    public void Writes_a_sheet_of_pretraining_scenes()
        => WriteSheet("shapes-world-pretraining.png", new ShapesWorldDataset(7), 64);

    [Fact]
    public void Writes_a_sheet_of_held_out_styles()
        => WriteSheet("shapes-world-held-out.png", new ShapesWorldDataset(11, SceneSamplerOptions.HeldOut), 48);

    void WriteSheet(string fileName, ShapesWorldDataset dataset, int count)
    {
        var samples = Enumerable.Range(0, count).Select(i => dataset.Get(i)).ToList();
        try
        {
            string path = Path.Combine(Path.GetTempPath(), "diffusiontune-shapes-world", fileName);
            ContactSheet.Save(path, [.. samples.Select(s => s.Image)], Columns, scale: 2);
            output.WriteLine(path);
            for (int i = 0; i < samples.Count; i++) output.WriteLine($"{i / Columns},{i % Columns}: {samples[i].Caption.Text}");

            using var written = SKBitmap.Decode(path);
            Assert.Equal(Columns * (128 + 4) + 4, written.Width);
        }
        finally
        {
            foreach (var sample in samples) sample.Dispose();
        }
    }
}
