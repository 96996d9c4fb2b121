using System.Text;
using DiffusionTune.Contracts;
using DiffusionTune.Web.Training;
using DiffusionTune.Workflows.Settings;

namespace DiffusionTune.Web.Pages;

/// <summary>
/// One setting of the train settings schema as a form field, by its kind (<see cref="ITrainSettingVisitor{TResult}"/>):
/// a choice or a flag as a select, a number or text as an input, a list as lines, <c>name=value</c> entries as lines, the
/// trainer's options as fields from its declarations. Empty means "not set": the placeholder shows what applies then.
/// Each field has its description and, under it, the checks' problems that name it.
/// </summary>
/// <param name="outOfBand">Whether the problem slots and the trainer's options are rendered as htmx out-of-band swaps (the answer to a form change).</param>
public sealed class SettingFieldView(TrainEditorState state, bool outOfBand = false) : ITrainSettingVisitor<string>
{
    /// <summary>The hidden field naming the trainer whose options the page shows.</summary>
    public const string ShownTrainerField = "shown_trainer";

    public string Scalar<T>(ScalarSetting<T> setting)
    {
        var value = state.Fields.GetValueOrDefault(setting.PresetKey) ?? "";
        var shown = TrainSettingsForm.Text(state.Shown.ValueOf(setting));
        var type = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        string input;
        if (setting.Choices.Count > 0 || type == typeof(bool))
        {
            IEnumerable<string> choices = type == typeof(bool) ? ["true", "false"] : setting.Choices;
            input = Select(setting.PresetKey, value, shown, choices);
        }
        else
        {
            bool number = type == typeof(int) || type == typeof(ulong) || type == typeof(double);
            var placeholder = TrainRequestBuilder.RootedPathSettings.Contains(setting) ? (shown.Length > 0 ? shown : "ROOT/relative/path") : shown;
            input = $"""<input id="{Id(setting.PresetKey)}" name="{Html.E(setting.PresetKey)}" value="{Html.E(value)}" placeholder="{Html.E(placeholder)}"{(number ? " inputmode=\"decimal\"" : "")}>""";
        }
        return Field(setting, input);
    }

    public string List(ListSetting setting) =>
        Field(setting, Lines(setting.PresetKey, state.Fields.GetValueOrDefault(setting.PresetKey), TrainSettingsForm.Text(state.Shown.ValueOf(setting)), "one per line"));

    public string NamedValues(NamedValuesSetting setting)
    {
        if (setting != TrainSettings.TrainerOptions)
            return Field(setting, Lines(setting.PresetKey, state.Fields.GetValueOrDefault(setting.PresetKey), TrainSettingsForm.Text(state.Shown.ValueOf(setting)), "name=value, one per line"));
        var html = new StringBuilder($"""<fieldset class="options" id="trainer-options"{(outOfBand ? " hx-swap-oob=\"true\"" : "")} data-testid="trainer-options"><legend>Options of the trainer {Html.E(state.Trainer?.Name ?? "(none chosen)")}</legend>""");
        // Which trainer's options the page shows: a form change re-renders them only when the trainer changes.
        html.Append($"""<input type="hidden" name="{ShownTrainerField}" value="{Html.E(state.Trainer?.Name)}">""");
        if (state.Trainer is null) html.Append("""<p class="empty">Choose a preset or a trainer to see its options.</p>""");
        var fromPreset = ((IReadOnlyList<NamedValue>)state.Shown.ValueOf(setting)!).ToDictionary(e => e.Name, e => e.Text, StringComparer.OrdinalIgnoreCase);
        foreach (var option in state.Trainer?.Options ?? [])
        {
            var name = TrainSettingsForm.OptionPrefix + option.Name;
            var value = state.Fields.GetValueOrDefault(name) ?? "";
            var shown = fromPreset.GetValueOrDefault(option.Name) ?? TrainSettingsForm.Text(option.Default);
            var input = option.Kind switch
            {
                TrainerOptionKind.Boolean => Select(name, value, shown, ["true", "false"]),
                TrainerOptionKind.Choice => Select(name, value, shown, option.Choices),
                _ => $"""<input id="{Id(name)}" name="{Html.E(name)}" value="{Html.E(value)}" placeholder="{Html.E(shown)}"{(option.Kind is TrainerOptionKind.Text ? "" : " inputmode=\"decimal\"")}>""",
            };
            var range = option.Minimum is null && option.Maximum is null ? ""
                : $" (from {(option.Minimum is { } min ? TrainSettingsForm.Text(min) : "−∞")} to {(option.Maximum is { } max ? TrainSettingsForm.Text(max) : "∞")})";
            html.Append($"""<div class="field" data-testid="field-{Html.E(name)}"><label for="{Id(name)}">{Html.E(option.Name)}</label>{input}<small>{Html.E(option.Help)}{Html.E(range)}</small></div>""");
        }
        html.Append(Problems(setting.PresetKey));
        return html.Append("</fieldset>").ToString();
    }

    /// <summary>The id of a field's input (stable, so htmx keeps the focus when the editor is swapped).</summary>
    public static string Id(string name) => "f-" + Html.E(name.Replace('.', '-'));

    string Field(TrainSetting setting, string input) => $"""
        <div class="field" data-testid="field-{Html.E(setting.PresetKey)}"><label for="{Id(setting.PresetKey)}">{Html.E(setting.PresetKey)}</label>{input}<small>{Html.E(setting.Description)}</small>{Problems(setting.PresetKey)}</div>
        """;

    /// <summary>The problems of the field <paramref name="key"/> (a slot that is always there, so a form change can refill it out of band).</summary>
    public string Problems(string key) =>
        $"""<p class="problem error" id="problem-{Html.E(key)}"{(outOfBand ? " hx-swap-oob=\"true\"" : "")} data-testid="problem-{Html.E(key)}">{string.Join("<br>", (state.FieldProblems.GetValueOrDefault(key) ?? []).Select(Html.E))}</p>""";

    static string Select(string name, string value, string shown, IEnumerable<string> choices)
    {
        var html = new StringBuilder($"""<select id="{Id(name)}" name="{Html.E(name)}"><option value="">({Html.E(shown.Length > 0 ? shown : "not set")})</option>""");
        foreach (var choice in choices)
            html.Append($"""<option{(choice.Equals(value, StringComparison.OrdinalIgnoreCase) ? " selected" : "")}>{Html.E(choice)}</option>""");
        return html.Append("</select>").ToString();
    }

    static string Lines(string name, string? value, string shown, string hint) =>
        $"""<textarea id="{Id(name)}" name="{Html.E(name)}" rows="2" placeholder="{Html.E(shown.Length > 0 ? shown : hint)}">{Html.E(value)}</textarea>""";
}
