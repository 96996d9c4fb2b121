namespace DiffusionTune.Web.Pages;

using DiffusionTune.Web.Jobs;

/// <summary>
/// One job: its state, live progress with ETA, messages, images and log, streamed from <c>/jobs/ID/events</c> by the page
/// script; Cancel and Resume buttons.
/// </summary>
public static class JobPage
{
    public static string Body(JobRecord job, string settingsJson)
    {
        var id = Html.U(job.Id);
        return $"""
            <section class="job" data-job-events="/jobs/{id}/events">
            <p>Kind <b>{Html.E(job.Kind)}</b> on <b>{Html.E(job.Device)}</b> · state <span class="state {QueuePage.StateClass(job.State)}" data-job-state>{QueuePage.StateName(job.State)}</span>
            {(job.Resumes > 0 ? $" · resumed {job.Resumes}×" : "")}</p>
            <div class="actions">
            <button hx-post="/jobs/{id}/cancel" hx-swap="none" {(job.State.IsAtRest() ? "disabled" : "")} data-when="active">Cancel</button>
            <button hx-post="/jobs/{id}/resume" hx-swap="none" {(job.State.CanResume() ? "" : "disabled")} data-when="resumable">Resume</button>
            <a href="/jobs/{id}/log">log.txt</a>
            </div>
            <p class="error" data-job-error>{Html.E(job.Error)}</p>
            <div class="progress" data-job-progress></div>
            <div class="images" data-job-images></div>
            <h2>Messages</h2>
            <ol class="messages" data-job-messages></ol>
            <details><summary>Settings</summary><pre>{Html.E(settingsJson)}</pre></details>
            </section>
            """;
    }
}
