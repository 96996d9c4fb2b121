using DiffusionTune.Contracts;
using DiffusionTune.Web.JobKinds;
using DiffusionTune.Workflows.Presets;
using DiffusionTune.Workflows.Settings;

namespace DiffusionTune.Web.Training;

/// <summary>The Train page's settings editor at one moment: the form's fields, the YAML, and every problem the checks found.</summary>
/// <param name="Settings">The job the page would start.</param>
/// <param name="Fields">The form fields that are set, by preset key (trainer options as <c>option.NAME</c>).</param>
/// <param name="Yaml">The same settings as preset YAML.</param>
/// <param name="FieldProblems">Problems that name a field, by its preset key.</param>
/// <param name="OtherProblems">Problems of no single field (the image folder, an unknown key, the YAML itself).</param>
/// <param name="Shown">What each setting is when the field is left empty: the default, overlaid by the preset.</param>
/// <param name="Preset">The chosen preset, or null.</param>
/// <param name="Trainer">The trainer the settings name (the field, else the preset's), or null.</param>
public sealed record TrainEditorState(
    TrainJobSettings Settings,
    IReadOnlyDictionary<string, string> Fields,
    string Yaml,
    IReadOnlyDictionary<string, List<string>> FieldProblems,
    IReadOnlyList<string> OtherProblems,
    TrainSettingValues Shown,
    Preset? Preset,
    TrainerInfo? Trainer)
{
    /// <summary>Whether the checks found nothing wrong.</summary>
    public bool IsValid => FieldProblems.Count == 0 && OtherProblems.Count == 0;
}
