using System.Globalization;
using System.Text.Json;
using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.IO;
using DiffusionTune.IO.Images;
using DiffusionTune.Workflows.Adapters;
using DiffusionTune.Workflows.Generation;
using DiffusionTune.Workflows.Reporting;
using static TorchSharp.torch;

namespace DiffusionTune.Workflows.Comparison;

/// <summary>
/// Generates an X/Y comparison: every <see cref="ComparisonRow"/> (prompt and seed) with every
/// <see cref="ComparisonColumn"/> (checkpoint, LoRA or hypernetwork, strength), one PNG with metadata per cell, then
/// one labelled grid (<see cref="ComparisonGrid"/>). Cell files are named from their row, column and seed
/// (<c>r000-c001-s42.png</c>) and record what made them, so running the same comparison again skips the cells already
/// made (and remakes those made with other settings); a model, adapter or prompt that fails is reported and the rest go on.
/// </summary>
public static class ComparisonRun
{
    public const string ManifestFileName = "comparison.json";

    /// <summary>The PNG text chunk that records a cell's column (model, adapter, strength), which "parameters" only hashes.</summary>
    const string ColumnChunk = "DiffusionTune column";

    /// <summary>The file of the cell in <paramref name="row"/>, <paramref name="column"/> made with <paramref name="seed"/>.</summary>
    public static string CellFileName(int row, int column, long seed) => $"r{row:D3}-c{column:D3}-s{seed}.png";

    public static ComparisonResult Run(ComparisonPlan plan, IWorkflowReporter reporter, CancellationToken cancellation)
    {
        if (plan.Columns.Count == 0 || plan.Rows.Count == 0) throw new ArgumentException("a comparison needs at least one column and one prompt");
        var folder = Path.GetFullPath(plan.Output);
        Folders.Create(folder);
        var cells = new List<ComparisonCell>();
        int stale = 0;
        for (int row = 0; row < plan.Rows.Count; row++)
        {
            for (int column = 0; column < plan.Columns.Count; column++)
            {
                var seed = plan.Columns[column].CellRow(plan.Rows[row]).Seed;
                var path = Path.Combine(folder, CellFileName(row, column, seed));
                bool exists = File.Exists(path);
                bool reusable = exists && MadeBy(path, plan, plan.Rows[row], plan.Columns[column]);
                if (exists && !reusable) stale++;
                cells.Add(new ComparisonCell(row, column, seed, path, reusable ? CellStatus.Existing : CellStatus.Failed, reusable ? null : "not generated"));
            }
        }
        var pending = cells.Where(c => c.Status == CellStatus.Failed).ToList();
        if (cells.Count > pending.Count) reporter.Message($"Reusing {cells.Count - pending.Count} image(s) already in {folder}");
        if (stale > 0) reporter.Message($"Remaking {stale} image(s) in {folder} that were made with other settings");
        var counter = new Counter(pending.Count);
        // One load per model: its columns (the model alone, adapters, strengths) are applied and undone in turn.
        foreach (var model in pending.Select(c => plan.Columns[c.Column].Model).Distinct())
            GenerateWithModel(plan, model, pending.Where(c => plan.Columns[c.Column].Model == model).ToList(), cells, reporter, counter, cancellation);

        var grid = ComparisonGrid.Write(plan, cells, folder, reporter);
        if (grid is not null) reporter.ImageReady(grid, "comparison grid");
        var manifest = Path.Combine(folder, ManifestFileName);
        AtomicFile.WriteAllText(manifest, JsonSerializer.Serialize(new
        {
            columns = plan.Columns.Select(c => new { label = c.Label, model = c.Model, adapter = c.Adapter?.Kind.ToString().ToLowerInvariant(), file = c.Adapter?.Path, strength = c.Adapter?.Strength,
                setting = c.Setting?.Axis.ToString().ToLowerInvariant(), value = c.Setting?.Value }),
            rows = plan.Rows.Select(r => new { label = r.Label, prompt = r.Prompt.Prompt, seed = r.Seed }),
            embeddings = plan.Embeddings,
            grid = grid is null ? null : Path.GetFileName(grid),
            cells = cells.Select(c => new { row = c.Row, column = c.Column, file = Path.GetFileName(c.Path), status = c.Status.ToString().ToLowerInvariant(), problem = c.Problem }),
        }, new JsonSerializerOptions { WriteIndented = true }));
        return new ComparisonResult(grid, manifest, cells);
    }

    /// <summary>How many cells this run has started, of how many.</summary>
    sealed class Counter(int total)
    {
        public int Done { get; set; }

        public int Total { get; } = total;
    }

    /// <summary>Whether the image at <paramref name="path"/> is this cell's: same column, prompt, seed and sampling settings.</summary>
    static bool MadeBy(string path, ComparisonPlan plan, ComparisonRow planRow, ComparisonColumn column)
    {
        var row = column.CellRow(planRow);
        try
        {
            if (PngTextReader.Find(path, ColumnChunk) != ColumnIdentity(column) || RecordedImage.Parameters(path) is not { } made) return false;
            var prompt = row.Prompt;
            var sampling = plan.Sampling;
            return made.Prompt == prompt.Prompt && made.NegativePrompt == (prompt.NegativePrompt ?? sampling.NegativePrompt) && made.Seed == row.Seed
                && made.Steps == (prompt.Steps ?? sampling.Steps) && made.CfgScale == (prompt.Cfg ?? sampling.Cfg)
                && made.Sampler == SamplingSettings.ParseSampler(prompt.Sampler ?? sampling.Sampler).DisplayName;
        }
        catch (Exception e) when (e is ImageFileException or IOException or InvalidDataException or ArgumentException)
        {
            // An unreadable or foreign file in the cell's place is remade.
            return false;
        }
    }

    /// <summary>The model and adapter a column applies, as recorded in its cells.</summary>
    static string ColumnIdentity(ComparisonColumn column) => (column.Adapter is { } adapter
        ? $"{Path.GetFullPath(column.Model)} + {adapter.Kind.ToString().ToLowerInvariant()} {Path.GetFullPath(adapter.Path)} at {adapter.Strength.ToString("R", CultureInfo.InvariantCulture)}"
        : Path.GetFullPath(column.Model)) + (column.Setting is { } setting ? $" with {setting.Axis.ToString().ToLowerInvariant()} {setting.Value}" : "");

    static void GenerateWithModel(ComparisonPlan plan, string modelPath, List<ComparisonCell> modelCells, List<ComparisonCell> cells,
        IWorkflowReporter reporter, Counter counter, CancellationToken cancellation)
    {
        StableDiffusionModel model;
        IReadOnlyList<LoadedEmbedding> embeddings;
        try
        {
            model = plan.Sampling.LoadModel(modelPath, reporter);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Fail(plan, modelCells, cells, $"model {modelPath}: {e.Message}", reporter, counter);
            return;
        }
        using (model)
        {
            try
            {
                embeddings = plan.Embeddings is null ? [] : EmbeddingLoading.LoadInto(model, plan.Embeddings, reporter);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Fail(plan, modelCells, cells, $"embeddings {plan.Embeddings}: {e.Message}", reporter, counter);
                return;
            }
            var pipeline = new TextToImagePipeline(model);
            foreach (var columnCells in modelCells.GroupBy(c => c.Column))
            {
                var column = plan.Columns[columnCells.Key];
                AppliedAdapters adapter;
                try
                {
                    adapter = ComparisonAdapter.Apply(model, column.Adapter, reporter);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Fail(plan, columnCells.ToList(), cells, $"{column.Adapter!.Kind.ToString().ToLowerInvariant()} {column.Adapter.Path}: {e.Message}", reporter, counter);
                    continue;
                }
                using (adapter)
                {
                    foreach (var cell in columnCells)
                    {
                        cancellation.ThrowIfCancellationRequested();
                        cells[Index(plan, cell)] = Generate(plan, cell, column, model, pipeline, adapter, embeddings, reporter, counter, cancellation);
                    }
                }
            }
        }
    }

    /// <summary>One cell's image, written with its metadata; a failure is logged and recorded in the cell.</summary>
    static ComparisonCell Generate(ComparisonPlan plan, ComparisonCell cell, ComparisonColumn column, StableDiffusionModel model, TextToImagePipeline pipeline,
        AppliedAdapters adapter, IReadOnlyList<LoadedEmbedding> embeddings, IWorkflowReporter reporter, Counter counter, CancellationToken cancellation)
    {
        var row = column.CellRow(plan.Rows[cell.Row]);
        var task = reporter.Start($"[{++counter.Done}/{counter.Total}] {column.Label} · {row.Label}", row.Prompt.Steps ?? plan.Sampling.Steps);
        try
        {
            var request = Request(plan, row, model);
            using var scope = NewDisposeScope();
            var images = pipeline.Generate(request, (step, _) => task.Advance(step), cancellation);
            using var bitmap = ImageTensors.ToBitmaps(images)[0];
            var parameters = GenerationJob.Parameters(request, cell.Seed, model, adapter.Loras, embeddings, adapter.Hypernetworks);
            parameters = parameters with { Extra = [.. parameters.Extra, .. PluginAdapterApplication.ParametersEntries(adapter.PluginAdapters)] };
            PngWriter.Write(cell.Path, bitmap, [new("parameters", parameters.ToParametersText()), new(ColumnChunk, ColumnIdentity(column))], overwrite: true);
            task.Finish($"→ {Path.GetFileName(cell.Path)}");
            reporter.ImageReady(cell.Path, $"{column.Label} · {row.Label}");
            return cell with { Status = CellStatus.Generated, Problem = null };
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            task.Finish("failed");
            reporter.Message($"failed: {column.Label} · {row.Label}: {e.Message}");
            return cell with { Problem = e.Message };
        }
    }

    static void Fail(ComparisonPlan plan, List<ComparisonCell> which, List<ComparisonCell> cells, string problem, IWorkflowReporter reporter, Counter counter)
    {
        foreach (var cell in which) cells[Index(plan, cell)] = cell with { Problem = problem };
        counter.Done += which.Count;
        reporter.Message($"failed: {problem} ({which.Count} image(s) skipped)");
    }

    /// <summary>Where <paramref name="cell"/> is in the row-by-row list of cells.</summary>
    static int Index(ComparisonPlan plan, ComparisonCell cell) => cell.Row * plan.Columns.Count + cell.Column;

    static GenerationRequest Request(ComparisonPlan plan, ComparisonRow row, StableDiffusionModel model)
    {
        var request = plan.Sampling.Request(row.Prompt, row.Seed, batchSize: 1, model);
        request.Validate(model);
        return request;
    }
}
