using System.Text;
using DiffusionTune.Web.Jobs;

namespace DiffusionTune.Web.Pages;

/// <summary>The Queue page: every job with its state, newest first; the table refreshes itself while the page is open.</summary>
public static class QueuePage
{
    public static string Body(IReadOnlyList<JobRecord> jobs) =>
        $"""<div hx-get="/queue/table" hx-trigger="every 2s" hx-swap="innerHTML">{Table(jobs)}</div>""";

    /// <summary>The table alone (the htmx refresh).</summary>
    public static string Table(IReadOnlyList<JobRecord> jobs)
    {
        if (jobs.Count == 0) return """<p class="empty">No jobs yet. Jobs you start from Train appear here and keep running when you close the page.</p>""";
        var rows = new StringBuilder();
        foreach (var job in jobs)
        {
            rows.Append($"""
                <tr><td><a href="/jobs/{Html.U(job.Id)}">{Html.E(job.Id)}</a></td><td>{Html.E(job.Kind)}</td><td>{Html.E(job.Device)}</td>
                <td><span class="state {StateClass(job.State)}">{StateName(job.State)}</span></td>
                <td>{job.Created.ToLocalTime():yyyy-MM-dd HH:mm:ss}</td><td>{Html.E(job.Error)}</td></tr>
                """);
        }
        return $"""<table class="jobs"><thead><tr><th>Job</th><th>Kind</th><th>Device</th><th>State</th><th>Created</th><th>Error</th></tr></thead><tbody>{rows}</tbody></table>""";
    }

    public static string StateName(JobState state) => state.ToString().ToLowerInvariant();

    public static string StateClass(JobState state) => "state-" + StateName(state);
}
