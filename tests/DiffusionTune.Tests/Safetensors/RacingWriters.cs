namespace DiffusionTune.Tests.Safetensors;

/// <summary>
/// Writers on their own threads, each held inside its write until every one has got there: they have all passed any
/// up-front "does it exist yet" check, and race each other to the final rename.
/// </summary>
static class RacingWriters
{
    /// <summary>Runs <paramref name="write"/> for writers 0 … <paramref name="count"/>−1; it calls the action it is given once its content is written.</summary>
    /// <returns>Per writer, what it threw, or null when it succeeded.</returns>
    public static Exception?[] Run(int count, Action<int, Action> write)
    {
        using var allWritten = new Barrier(count);
        var outcomes = new Exception?[count];
        void Arrive()
        {
            if (!allWritten.SignalAndWait(TimeSpan.FromSeconds(30))) throw new TimeoutException("a writer never got to its rename");
        }
        var threads = Enumerable.Range(0, count).Select(writer => new Thread(() =>
        {
            try
            {
                write(writer, Arrive);
            }
            catch (Exception e)
            {
                outcomes[writer] = e;
            }
        })).ToList();
        foreach (var thread in threads) thread.Start();
        foreach (var thread in threads) thread.Join();
        return outcomes;
    }
}
