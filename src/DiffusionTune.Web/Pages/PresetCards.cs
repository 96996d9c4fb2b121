using System.Text;
using DiffusionTune.Web.Training;
using DiffusionTune.Workflows.Presets;

namespace DiffusionTune.Web.Pages;

/// <summary>The presets as cards to pick from: what each is for, its trainer, the model it is sized for, and how long a run of it took here, when one finished.</summary>
public static class PresetCards
{
    public static string Cards(IReadOnlyList<Preset> presets, string? chosen, IReadOnlyDictionary<string, PresetTiming> timings)
    {
        var html = new StringBuilder($"""<fieldset class="cards presets" data-testid="preset-cards" hx-post="/train/settings?from=preset" hx-trigger="change" {TrainSettingsView.Swap}><legend>Preset</legend>""");
        html.Append(Card("", "No preset", "Every setting from the form below (a trainer is needed).", null, null, chosen is null, null));
        foreach (var preset in presets)
            html.Append(Card(preset.Name, preset.Name, preset.Description, preset.Trainer, preset.MadeFor,
                preset.Name.Equals(chosen, StringComparison.OrdinalIgnoreCase), timings.GetValueOrDefault(preset.Name)));
        return html.Append("</fieldset>").ToString();
    }

    static string Card(string value, string title, string? description, string? trainer, string? madeFor, bool chosen, PresetTiming? timing)
    {
        var id = value.Length == 0 ? "none" : Html.E(value);
        var facts = new StringBuilder();
        if (trainer is not null) facts.Append($"<dt>trainer</dt><dd>{Html.E(trainer)}</dd>");
        if (madeFor is not null) facts.Append($"<dt>made for</dt><dd>{Html.E(ModelFamily.Known.GetValueOrDefault(madeFor, madeFor))}</dd>");
        if (timing is not null)
        {
            facts.Append($"""<dt>here</dt><dd data-testid="preset-timing-{id}">{Html.E(timing.Describe())}</dd>""");
        }
        return $"""
            <label class="card preset-card" data-testid="preset-card-{id}">
            <input type="radio" name="{TrainEditor.PresetField}" value="{Html.E(value)}"{(chosen ? " checked" : "")}>
            <h3>{Html.E(title)}</h3><p>{Html.E(description)}</p><dl>{facts}</dl></label>
            """;
    }
}
