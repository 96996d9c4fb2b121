using DiffusionTune.Web.JobKinds;
using DiffusionTune.Workflows.Reporting;
using DiffusionTune.Workflows.Settings;
using DiffusionTune.Workflows.Training;

namespace DiffusionTune.Web.Training;

/// <summary>
/// Keeps the Train page's form and YAML view in step: one side is taken as it is, the other made from it
/// (<see cref="TrainSettingsForm"/>), and the result checked exactly as a queued job is (<see cref="TrainJobKind.Validate"/>),
/// each problem placed at the field it names.
/// </summary>
public sealed class TrainEditor(TrainJobKind kind, TrainerCatalog catalog)
{
    /// <summary>The form's fields in the page's names: the settings' preset keys and <c>option.NAME</c>, plus the picked preset and image folder.</summary>
    public const string PresetField = "preset", YamlField = "yaml", DatasetField = "dataset", ImagesRootField = "images_root", ImagesPathField = "images_path";

    /// <summary>The state after the form changed: the YAML is made from the fields.</summary>
    public TrainEditorState FromForm(IReadOnlyDictionary<string, string> form)
    {
        var problems = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var yaml = TrainSettingsForm.ToYaml(form, problems);
        var fields = form.Where(f => f.Value.Trim().Length > 0 && IsSettingField(f.Key)).ToDictionary(f => f.Key, f => f.Value.Trim(), StringComparer.Ordinal);
        return Checked(form, fields, yaml, problems, []);
    }

    /// <summary>The state after the YAML changed: the fields are read from it (when it cannot be read, the fields stay as they were).</summary>
    public TrainEditorState FromYaml(IReadOnlyDictionary<string, string> form)
    {
        var yaml = form.GetValueOrDefault(YamlField) ?? "";
        try
        {
            return Checked(form, TrainSettingsForm.FromYaml(yaml), yaml, new Dictionary<string, List<string>>(StringComparer.Ordinal), []);
        }
        catch (TrainSettingsException e)
        {
            var fields = form.Where(f => f.Value.Trim().Length > 0 && IsSettingField(f.Key)).ToDictionary(f => f.Key, f => f.Value.Trim(), StringComparer.Ordinal);
            var problems = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            var other = new List<string>();
            Place(e.Problems, problems, other);
            return State(form, fields, yaml, problems, other);
        }
    }

    /// <summary>The job settings the page's form describes.</summary>
    public static TrainJobSettings SettingsOf(IReadOnlyDictionary<string, string> form, string yaml) => new(
        Empty(form.GetValueOrDefault(PresetField)), Empty(yaml), Empty(form.GetValueOrDefault(DatasetField)),
        Empty(form.GetValueOrDefault(ImagesRootField)), Empty(form.GetValueOrDefault(ImagesPathField)));

    TrainEditorState Checked(IReadOnlyDictionary<string, string> form, Dictionary<string, string> fields, string yaml,
        Dictionary<string, List<string>> problems, List<string> other)
    {
        try
        {
            kind.Check(SettingsOf(form, yaml));
        }
        catch (TrainSettingsException e)
        {
            Place(e.Problems, problems, other);
        }
        catch (Exception e) when (e is ArgumentException or FileNotFoundException)
        {
            other.Add(e.Message);
        }
        return State(form, fields, yaml, problems, other);
    }

    TrainEditorState State(IReadOnlyDictionary<string, string> form, Dictionary<string, string> fields, string yaml,
        Dictionary<string, List<string>> problems, List<string> other)
    {
        var preset = catalog.Preset(form.GetValueOrDefault(PresetField));
        var shown = TrainSettingValues.Defaults();
        // The preset's shapes-world: settings show when the run will use the embedded model, as the job will apply them.
        bool onEmbeddedModel = Empty(fields.GetValueOrDefault(TrainSettings.Model.PresetKey)) is null && preset is not { NamesModel: true };
        preset?.ApplyTo(shown, onEmbeddedModel);
        var trainer = catalog.Trainer(fields.GetValueOrDefault(TrainSettings.Trainer.PresetKey) ?? preset?.Trainer);
        return new TrainEditorState(SettingsOf(form, yaml), fields, yaml, problems, other, shown, preset, trainer);
    }

    static void Place(IEnumerable<string> lines, Dictionary<string, List<string>> problems, List<string> other)
    {
        foreach (var line in lines)
        {
            if (TrainSettingsForm.FieldOf(line) is not { } field) other.Add(line);
            else if (problems.TryGetValue(field, out var list)) list.Add(line);
            else problems[field] = [line];
        }
    }

    static bool IsSettingField(string name) =>
        name.StartsWith(TrainSettingsForm.OptionPrefix, StringComparison.Ordinal) || TrainSettings.FromPresetKey(name) is { } setting && TrainRequestBuilder.Editable(setting);

    static string? Empty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
