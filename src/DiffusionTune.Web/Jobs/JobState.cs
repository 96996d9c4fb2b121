namespace DiffusionTune.Web.Jobs;

/// <summary>Where a job is in its life. Finished, failed, cancelled and interrupted jobs are at rest; the last three can be resumed.</summary>
public enum JobState
{
    /// <summary>Waiting for its device.</summary>
    Queued,
    /// <summary>Running in the server.</summary>
    Running,
    /// <summary>Ran to its end.</summary>
    Finished,
    /// <summary>Stopped by an error (see the job's error and log).</summary>
    Failed,
    /// <summary>Stopped by the user; it saved what it had.</summary>
    Cancelled,
    /// <summary>The server stopped (or died) while it ran.</summary>
    Interrupted,
}

/// <summary>Questions about <see cref="JobState"/>.</summary>
public static class JobStates
{
    /// <summary>Whether a job in <paramref name="state"/> is done running (for now).</summary>
    public static bool IsAtRest(this JobState state) => state is not (JobState.Queued or JobState.Running);

    /// <summary>Whether a job in <paramref name="state"/> may be queued again to carry on.</summary>
    public static bool CanResume(this JobState state) => state is JobState.Failed or JobState.Cancelled or JobState.Interrupted;
}
