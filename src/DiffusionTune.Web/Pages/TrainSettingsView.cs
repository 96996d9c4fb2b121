using System.Text;
using DiffusionTune.Web.Training;
using DiffusionTune.Workflows.Settings;

namespace DiffusionTune.Web.Pages;

/// <summary>
/// The Train page's settings editor (an htmx fragment that replaces itself): the form generated from the train
/// settings schema (<see cref="TrainSettings.All"/> through <see cref="SettingFieldView"/>) beside the same settings as
/// YAML, with Start under the YAML (which stays in view). A change on either side posts the page's form; the server makes
/// the other side from it and checks both.
/// </summary>
public static class TrainSettingsView
{
    /// <summary>A request whose answer replaces the whole editor (a preset chosen, the YAML changed); one request of the form at a time, in order.</summary>
    public const string Swap = """hx-target="#train-settings" hx-swap="outerHTML" hx-sync="closest form:queue all" """;

    /// <summary>
    /// A request whose answer replaces only the YAML view and the fields' problems (a field changed): the fields stay as
    /// the user is typing them.
    /// </summary>
    public const string SwapYaml = """hx-target="#yaml-pane" hx-swap="outerHTML" hx-sync="closest form:queue all" """;

    public static string Editor(TrainEditorState state)
    {
        var fields = new SettingFieldView(state);
        var html = new StringBuilder($"""
            <div id="train-settings" class="editor">
            <fieldset class="schema" data-testid="settings-form" hx-post="/train/settings?from=form" hx-trigger="change" {SwapYaml}>
            <legend>Settings: an empty field keeps the preset's value or the default (shown grey)</legend>
            """);
        foreach (var setting in TrainSettings.All.Where(TrainRequestBuilder.Editable)) html.Append(setting.Accept(fields));
        var owned = TrainSettings.All.Where(s => !TrainRequestBuilder.Editable(s)).Select(s => s.PresetKey);
        html.Append($"""<p class="note" data-testid="server-owned">Set by the page: {Html.E(string.Join(", ", owned))} (the image folder above; each job writes into its own folder, on its device).</p></fieldset>""");
        return html.Append(YamlPane(state)).Append("</div>").ToString();
    }

    /// <summary>
    /// The answer to a field's change: the YAML view, and out of band the problem slot of every field and, when the
    /// trainer changed, its options.
    /// </summary>
    public static string AfterFieldChange(TrainEditorState state, bool trainerChanged)
    {
        var fields = new SettingFieldView(state, outOfBand: true);
        var html = new StringBuilder(YamlPane(state));
        foreach (var setting in TrainSettings.All.Where(TrainRequestBuilder.Editable))
            html.Append(setting == TrainSettings.TrainerOptions ? (trainerChanged ? setting.Accept(fields) : fields.Problems(setting.PresetKey)) : fields.Problems(setting.PresetKey));
        return html.ToString();
    }

    static string YamlPane(TrainEditorState state) => $"""
        <div class="yaml-pane" id="yaml-pane"><label for="f-yaml">The same as YAML (preset keys)</label>
        <textarea id="f-yaml" name="{TrainEditor.YamlField}" data-testid="settings-yaml" spellcheck="false" hx-post="/train/settings?from=yaml" hx-trigger="change" {Swap}>{Html.E(state.Yaml)}</textarea>
        <ul class="problems error" data-testid="settings-problems">{string.Concat(state.OtherProblems.Select(p => $"<li>{Html.E(p)}</li>"))}</ul>
        <p data-testid="settings-status" class="{(state.IsValid ? "ok" : "error")}">{(state.IsValid ? "Ready to start." : "Fix the problems shown before starting.")}</p>
        <p><button type="button" id="start-training" data-testid="start-training" hx-post="/train/start" hx-swap="none" hx-sync="closest form:queue all">Start training</button></p>
        </div>
        """;
}
