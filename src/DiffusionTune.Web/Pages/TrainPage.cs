using System.Text;
using DiffusionTune.Web.Safety;

namespace DiffusionTune.Web.Pages;

/// <summary>The Train page's dataset part: the managed datasets, a form to make one, and the folder browser over the roots.</summary>
public static class TrainPage
{
    public static string Body(IReadOnlyList<string> datasets, IReadOnlyList<RootFolder> roots)
    {
        var html = new StringBuilder("<h2>Your datasets</h2>");
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
