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
    /// <summary>What every htmx request of the Train form shares: the target, and one request at a time, in order.</summary>
    public const string Swap = """hx-target="#train-settings" hx-swap="outerHTML" hx-sync="closest form:queue all" """;

    public static string Editor(TrainEditorState state)
    {
        var fields = new SettingFieldView(state);
        var html = new StringBuilder($"""
            <div id="train-settings" class="editor">
            <fieldset class="schema" data-testid="settings-form" hx-post="/train/settings?from=form" hx-trigger="change" {Swap}>
            <legend>Settings: an empty field keeps the preset's value or the default (shown grey)</legend>
            """);
        foreach (var setting in TrainSettings.All.Where(TrainRequestBuilder.Editable)) html.Append(setting.Accept(fields));
        var owned = TrainSettings.All.Where(s => !TrainRequestBuilder.Editable(s)).Select(s => s.PresetKey);
        html.Append($"""<p class="note" data-testid="server-owned">Set by the page: {Html.E(string.Join(", ", owned))} (the image folder above; each job writes into its own folder, on its device).</p></fieldset>""");
        html.Append($"""
            <div class="yaml-pane"><label for="f-yaml">The same as YAML (preset keys)</label>
            <textarea id="f-yaml" name="{TrainEditor.YamlField}" data-testid="settings-yaml" spellcheck="false" hx-post="/train/settings?from=yaml" hx-trigger="change" {Swap}>{Html.E(state.Yaml)}</textarea>
            <ul class="problems error" data-testid="settings-problems">{string.Concat(state.OtherProblems.Select(p => $"<li>{Html.E(p)}</li>"))}</ul>
            <p data-testid="settings-status" class="{(state.IsValid ? "ok" : "error")}">{(state.IsValid ? "Ready to start." : "Fix the problems shown before starting.")}</p>
            <p><button type="button" id="start-training" data-testid="start-training" hx-post="/train/start" hx-swap="none" hx-sync="closest form:queue all">Start training</button></p>
            </div></div>
            """);
        return html.ToString();
    }
}
