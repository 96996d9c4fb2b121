using System.Text;
using System.Text.Json;
using DiffusionTune.Web.Jobs;
using DiffusionTune.Workflows.Comparison;
using DiffusionTune.Web.Library;

namespace DiffusionTune.Web.Pages;

/// <summary>
/// The Compare page: an X/Y grid over a training run's checkpoints (its folder) or LoRA files × strengths × prompts,
/// and over a sampling setting on either axis; the grid is drawn as a table when the job is queued and fills in cell by
/// cell, then shows the finished grid image (compare.js).
/// </summary>
public static class ComparePage
{
    /// <param name="followJob">A compare job whose grid the page lays out and fills (as cells finish, when it still runs); null for none.</param>
    public static string Body(SamplingForm form, IReadOnlyList<LibraryItem> library, JobRecord? followJob)
    {
        var follow = followJob is null ? "" : $""" data-follow-job="{Html.E(followJob.Id)}" data-follow-settings="{Html.E(JsonSerializer.Serialize(followJob.Settings))}" """.TrimEnd();
        var loras = library.Where(i => i.Kind == LibraryItemKind.Lora).ToList();
        // A training run's folder: every LoRA in it is one checkpoint column, by step.
        var runs = loras.GroupBy(l => (l.Root, Folder: Path.GetDirectoryName(l.RelativePath)?.Replace('\\', '/') ?? ""))
            .Where(g => g.Key.Folder.Length > 0 && g.Count() > 1).ToList();
        var runPicks = new StringBuilder();
        foreach (var run in runs)
            runPicks.Append($"""<div class="pick" data-testid="run-pick"><label><input type="checkbox" name="lora" data-root="{Html.E(run.Key.Root)}" data-path="{Html.E(run.Key.Folder)}"> {Html.E(run.Key.Root)}/{Html.E(run.Key.Folder)}/ ({run.Count()} checkpoints)</label></div>""");
        return $"""
            <form id="compare-form" class="job-form" data-testid="compare-form">
            <label class="wide">Prompts, one per line (one row each) <textarea id="compare-prompts" name="prompts" rows="3" data-testid="compare-prompts">{Html.E(form.Prompt)}</textarea></label>
            {form.Fields(randomSeed: false)}
            <div class="fields">
            <label>Seeds per prompt <input id="seed-count" type="number" min="1" value="1" data-testid="seed-count"></label>
            <label>X axis {AxisSelect("x-axis")}</label> <label>values <input id="x-values" placeholder="5,7,9" data-testid="x-values"></label>
            <label>Y axis {AxisSelect("y-axis")}</label> <label>values <input id="y-values" placeholder="1,2" data-testid="y-values"></label>
            </div>
            <fieldset data-testid="compare-models"><legend>Models (none ticked: the embedded model)</legend>{LibraryPicker.Checkboxes(library.Where(i => i.Kind == LibraryItemKind.Model), "model", strengths: false)}</fieldset>
            <fieldset data-testid="compare-loras"><legend>Training runs and LoRAs</legend>{runPicks}{LibraryPicker.Checkboxes(loras, "lora", strengths: false)}</fieldset>
            <fieldset data-testid="compare-hypernetworks"><legend>Hypernetworks</legend>{LibraryPicker.Checkboxes(library.Where(i => i.Kind == LibraryItemKind.Hypernetwork), "hypernetwork", strengths: false)}</fieldset>
            <div class="fields">
            <label>Strengths of each LoRA and hypernetwork <input id="strengths" value="1" data-testid="strengths"></label>
            <label><input type="checkbox" id="include-base" data-testid="include-base"> also a column without them</label>
            <label>Embedding {LibraryPicker.Select(library.Where(i => i.Kind == LibraryItemKind.Embedding), "compare-embedding", "none")}</label>
            </div>
            <p><button type="submit" id="compare-start" data-testid="compare-start">Start</button> <span id="job-status" data-testid="job-status"></span></p>
            <p class="error" id="form-error" data-testid="form-error"></p>
            </form>
            <table class="grid" id="compare-grid" data-testid="compare-grid"{follow}></table>
            <figure id="compare-final" data-testid="compare-final" hidden><img id="compare-final-image" data-testid="compare-final-image" alt="comparison grid"><figcaption>grid.png</figcaption></figure>
            <script src="/static/jobs.js" defer></script>
            <script src="/static/compare.js" defer></script>
            """;
    }

    static string AxisSelect(string id)
    {
        var html = new StringBuilder($"""<select id="{id}" data-testid="{id}"><option value="">none</option>""");
        foreach (var axis in Enum.GetValues<SettingAxis>())
            html.Append($"""<option value="{axis.ToString().ToLowerInvariant()}">{axis.ToString().ToLowerInvariant()}</option>""");
        return html.Append("</select>").ToString();
    }
}
