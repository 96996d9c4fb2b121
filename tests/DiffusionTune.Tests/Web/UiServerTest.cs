namespace DiffusionTune.Tests.Web;

/// <summary>A test class whose tests each get a fresh <see cref="UiTestServer"/> over a fresh scratch folder.</summary>
public abstract class UiServerTest : IAsyncLifetime
{
    internal ScratchFolder Scratch { get; } = new();

    internal UiTestServer Server { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Server = UiTestServer.Start(Scratch.Path);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Scratch.Dispose();
    }
}
