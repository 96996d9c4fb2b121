using DiffusionTune.IO.Images;
using DiffusionTune.ShapesWorld.Evaluation;
using SkiaSharp;

namespace DiffusionTune.Cli.Commands.Evaluate;

/// <summary>A model's evaluation images on one sheet: a row per prompt (labelled with it), a column per seed.</summary>
static class EvaluationContactSheet
{
    public static SKBitmap Compose(ModelEvaluation evaluation)
    {
        var seeds = evaluation.Prompts[0].Seeds;
        var bitmaps = evaluation.Prompts.SelectMany(prompt => ImageTensors.ToBitmaps(prompt.Images)).ToArray();
        try
        {
            return ImageGrid.Compose(bitmaps, seeds.Count, new ImageGridOptions
            {
                RowLabels = [.. evaluation.Prompts.Select(p => p.Prompt.Text)],
                ColumnLabels = [.. seeds.Select(seed => $"seed {seed}")],
                LabelScale = 1,
            });
        }
        finally
        {
            foreach (var bitmap in bitmaps) bitmap.Dispose();
        }
    }
}
