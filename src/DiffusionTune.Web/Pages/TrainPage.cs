using System.Text;
using DiffusionTune.Web.Safety;
using DiffusionTune.Web.Training;
using DiffusionTune.Workflows.Presets;

namespace DiffusionTune.Web.Pages;

/// <summary>
/// The Train page: the presets as cards, the image folder (a managed dataset or a folder in a root), the settings
/// editor (<see cref="TrainSettingsView"/>) and Start; below, the managed datasets, a form to make one, and the folder
/// browser over the roots.
/// </summary>
public static class TrainPage
{
    public static string Body(TrainEditorState editor, IReadOnlyList<Preset> presets, IReadOnlyDictionary<string, PresetTiming> timings,
        IReadOnlyList<string> datasets, IReadOnlyList<RootFolder> roots)
    {
        var chosen = editor.Settings;
        var html = new StringBuilder("""<form id="train-form" class="train">""");
        html.Append(PresetCards.Cards(presets, chosen.Preset, timings));
        html.Append($"""
            <fieldset id="images" class="images-picker" data-testid="images-picker" hx-post="/train/settings?from=form" hx-trigger="change" {TrainSettingsView.SwapYaml}>
            <legend>Images</legend>
            <label>A dataset <select id="f-dataset" name="{TrainEditor.DatasetField}" data-testid="images-dataset"><option value="">(none: a folder instead)</option>
            """);
        foreach (var name in datasets)
            html.Append($"""<option{(name == chosen.Dataset ? " selected" : "")}>{Html.E(name)}</option>""");
        html.Append($"""</select></label> or a folder <select id="f-images-root" name="{TrainEditor.ImagesRootField}" data-testid="images-root"><option value="">(root)</option>""");
        foreach (var root in roots)
            html.Append($"""<option{(root.Name == chosen.ImagesRoot ? " selected" : "")}>{Html.E(root.Name)}</option>""");
        html.Append($"""
            </select> / <input id="f-images-path" name="{TrainEditor.ImagesPathField}" data-testid="images-path" value="{Html.E(chosen.ImagesPath)}" placeholder="relative/folder">
            <small>Browse the roots below; "Train on this folder" fills this in.</small></fieldset>
            """);
        html.Append(TrainSettingsView.Editor(editor));
        html.Append("</form>");

        html.Append("<h2>Your datasets</h2>");
        if (datasets.Count == 0) html.Append("""<p class="empty">None yet: make one and drop images into it.</p>""");
        else
        {
            html.Append("<ul class=\"datasets\">");
            foreach (var name in datasets) html.Append($"""<li><a href="/datasets/{Html.U(name)}">{Html.E(name)}</a></li>""");
            html.Append("</ul>");
        }
        html.Append("""
            <form hx-post="/datasets" hx-target="#create-result">
            <label>New dataset <input name="name" required pattern="[A-Za-z0-9_][A-Za-z0-9_\-]{0,63}" placeholder="my-cat"></label>
            <button>Create</button> <span id="create-result" class="error"></span>
            </form>
            <h2>Or pick an image folder</h2>
            """);
        html.Append(FolderBrowserView.Roots(roots));
        return html.ToString();
    }
}
