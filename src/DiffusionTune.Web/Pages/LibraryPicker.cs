using System.Text;
using DiffusionTune.Web.Library;

namespace DiffusionTune.Web.Pages;

/// <summary>
/// Pickers over the library's files for the Generate and Compare pages: each choice carries its root and path
/// (<c>data-root</c>, <c>data-path</c>) and, where its file records one, its trigger word with an "insert" button.
/// </summary>
public static class LibraryPicker
{
    /// <summary>A checkbox per item, with a strength box when <paramref name="strengths"/>.</summary>
    public static string Checkboxes(IEnumerable<LibraryItem> items, string name, bool strengths)
    {
        var html = new StringBuilder();
        foreach (var item in items)
        {
            html.Append($"""<div class="pick" data-testid="{name}-pick">""");
            html.Append($"""<label><input type="checkbox" name="{name}" data-root="{Html.E(item.Root)}" data-path="{Html.E(item.RelativePath)}"> {Html.E(item.Root)}/{Html.E(item.RelativePath)}</label>""");
            if (strengths) html.Append($""" strength <input type="number" class="strength" step="0.05" value="1" aria-label="strength">""");
            html.Append(Trigger(item.Trigger));
            html.Append("</div>");
        }
        return html.Length == 0 ? """<p class="empty">None in the root folders.</p>""" : html.ToString();
    }

    /// <summary>A select of the items, <paramref name="none"/> first (value empty).</summary>
    public static string Select(IEnumerable<LibraryItem> items, string id, string none)
    {
        var html = new StringBuilder($"""<select id="{id}" data-testid="{id}"><option value="">{Html.E(none)}</option>""");
        foreach (var item in items)
            html.Append($"""<option value="{Html.E(item.Root)}/{Html.E(item.RelativePath)}" data-root="{Html.E(item.Root)}" data-path="{Html.E(item.RelativePath)}" data-trigger="{Html.E(item.Trigger ?? NameOf(item))}">{Html.E(item.Root)}/{Html.E(item.RelativePath)}</option>""");
        return html.Append("</select>").ToString();
    }

    /// <summary>The word a prompt uses for an embedding: its file name without the extension.</summary>
    public static string NameOf(LibraryItem item) => Path.GetFileNameWithoutExtension(item.RelativePath);

    static string Trigger(string? trigger) => trigger is null ? ""
        : $""" trigger <code>{Html.E(trigger)}</code> <button type="button" class="insert-trigger" data-trigger="{Html.E(trigger)}" data-testid="insert-trigger">insert</button>""";
}
