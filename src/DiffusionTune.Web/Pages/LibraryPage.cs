using System.Globalization;
using System.Text;
using DiffusionTune.Web.Library;

namespace DiffusionTune.Web.Pages;

/// <summary>The Library page: the model files in the roots with their metadata and damage reports.</summary>
public static class LibraryPage
{
    public static string Body(IReadOnlyList<LibraryItem> items)
    {
        if (items.Count == 0) return """<p class="empty">No models, LoRAs, embeddings or hypernetworks in the configured folders.</p>""";
        var html = new StringBuilder();
        foreach (var group in items.GroupBy(i => i.Kind).OrderBy(g => g.Key))
        {
            html.Append($"<h2>{Heading(group.Key)}</h2><div class=\"cards\">");
            foreach (var item in group) html.Append(Card(item));
            html.Append("</div>");
        }
        return html.ToString();
    }

    static string Card(LibraryItem item)
    {
        var html = new StringBuilder($"""<article class="card"><h3>{Html.E(Path.GetFileName(item.RelativePath))}</h3><p class="path">{Html.E(item.Root)}/{Html.E(item.RelativePath)} · {Html.Bytes(item.Bytes)}</p>""");
        if (item.BaseModel is { } baseModel) html.Append($"<p>Base model: <b>{Html.E(baseModel)}</b></p>");
        if (item.Trigger is { } trigger) html.Append($"<p>Trigger: <code>{Html.E(trigger)}</code></p>");
        if (item.Problem is { } problem) html.Append($"""<p class="error">{Html.E(problem)}</p>""");
        if (item.TrainingSettings.Count > 0)
        {
            html.Append("<details><summary>Training settings</summary><dl>");
            foreach (var (key, value) in item.TrainingSettings)
                html.Append($"<dt>{Html.E(key)}</dt><dd>{Html.E(value.Length > 300 ? value[..300] + "…" : value)}</dd>");
            html.Append("</dl></details>");
        }
        if (item.Damage is { } damage) html.Append(Damage(damage));
        return html.Append("</article>").ToString();
    }

    static string Damage(DamageSummary damage)
    {
        var html = new StringBuilder($"""<div class="damage"><p>Damage report ({Html.E(damage.FileName)}): general drift <b>{Percent(damage.GeneralDrift)}</b>""");
        if (damage.ConceptDrift is { } concept) html.Append($", concept drift <b>{Percent(concept)}</b>");
        if (damage.ConceptToGeneral is { } ratio) html.Append($", {ratio.ToString("0.0", CultureInfo.InvariantCulture)}× more on the concept");
        html.Append("</p>");
        html.Append(Bars("Drift per UNet block", damage.Blocks));
        html.Append(Bars("Drift per timestep", [.. damage.Timesteps.Select(t => (t.Timestep.ToString(CultureInfo.InvariantCulture), t.Drift))]));
        return html.Append("</div>").ToString();
    }

    /// <summary>A bar per row, scaled to the largest; nothing when there are no rows.</summary>
    static string Bars(string caption, IReadOnlyList<(string Label, double Drift)> rows)
    {
        if (rows.Count == 0) return "";
        var largest = Math.Max(rows.Max(r => r.Drift), 1e-12);
        var html = new StringBuilder($"<table class=\"bars\"><caption>{Html.E(caption)}</caption>");
        foreach (var (label, drift) in rows)
            html.Append($"""<tr><td>{Html.E(label)}</td><td><span class="bar" style="width:{(drift / largest * 100).ToString("0", CultureInfo.InvariantCulture)}%"></span></td><td>{Percent(drift)}</td></tr>""");
        return html.Append("</table>").ToString();
    }

    static string Percent(double relative) => (relative * 100).ToString("0.###", CultureInfo.InvariantCulture) + "%";

    static string Heading(LibraryItemKind kind) => kind switch
    {
        LibraryItemKind.Model => "Models",
        LibraryItemKind.Lora => "LoRAs",
        LibraryItemKind.Embedding => "Embeddings",
        LibraryItemKind.Hypernetwork => "Hypernetworks",
        LibraryItemKind.Adapter => "Plugin adapters",
        _ => "Other files",
    };
}
