namespace DiffusionTune.Web.Pages;

using DiffusionTune.Web.Jobs;

/// <summary>
/// One job: its state, live progress with ETA, messages, images and log, streamed from <c>/jobs/ID/events</c> by the page
/// script; the curves of the metrics it reports (loss, learning rate) and the server's memory; Cancel and Resume
/// buttons; and, for a kind with a result to show (a train job's grid and damage report), that result once it is there.
/// </summary>
public static class JobPage
{
    /// <param name="resultUrl">Where the page fetches the job's result when the job finishes (null: the kind has none).</param>
    /// <param name="resultHtml">The result, when the job already has one.</param>
    public static string Body(JobRecord job, string settingsJson, string? resultUrl = null, string? resultHtml = null)
    {
        var id = Html.U(job.Id);
        return $"""
            <section class="job" data-job-events="/jobs/{id}/events">
            <p>Kind <b>{Html.E(job.Kind)}</b> on <b>{Html.E(job.Device)}</b> · state <span class="state {QueuePage.StateClass(job.State)}" data-job-state data-testid="job-state">{QueuePage.StateName(job.State)}</span>
            {(job.Resumes > 0 ? $" · resumed {job.Resumes}×" : "")}</p>
            <div class="actions">
            <button hx-post="/jobs/{id}/cancel" hx-swap="none" {(job.State.IsAtRest() ? "disabled" : "")} data-when="active" data-testid="job-cancel" title="Stops after the current step and saves a checkpoint; Resume carries on from it">Cancel</button>
            <button hx-post="/jobs/{id}/resume" hx-swap="none" {(job.State.CanResume() ? "" : "disabled")} data-when="resumable" data-testid="job-resume">Resume</button>
            <a href="/jobs/{id}/log">log.txt</a>
            </div>
            <p class="error" data-job-error>{Html.E(job.Error)}</p>
            <div class="progress" data-job-progress data-testid="job-progress"></div>
            <p class="memory" data-job-memory data-testid="job-memory"></p>
            <div class="curves" data-job-curves data-testid="job-curves"></div>
            <div class="images samples" data-job-samples data-testid="job-samples"></div>
            {(resultUrl is null ? "" : $"""<section class="result" id="job-result" data-testid="job-result" data-job-result="{Html.E(resultUrl)}">{resultHtml}</section>""")}
            <h2>Images</h2>
            <div class="images" data-job-images data-testid="job-images"></div>
            <h2>Messages</h2>
            <ol class="messages" data-job-messages></ol>
            <details><summary>Settings</summary><pre>{Html.E(settingsJson)}</pre></details>
            </section>
            """;
    }
}
