namespace DiffusionTune.Models.Adapters;

/// <summary>
/// The prompt-gated adapters of one model (<see cref="AdapterGate"/>), and the scope around each model call that tells
/// them the prompt of every batch row. Code that calls a model's UNet or text encoder opens the gates for exactly that
/// call; with no gated adapter, opening costs nothing.
/// </summary>
public sealed class PromptGates
{
    readonly List<AdapterGate> _gates = [];
    bool _open;

    /// <summary>Whether any adapter of the model is gated.</summary>
    public bool Any => _gates.Count > 0;

    /// <summary>A new gate for an adapter that applies only to prompts containing <paramref name="trigger"/>.</summary>
    public AdapterGate Add(string trigger)
    {
        if (string.IsNullOrWhiteSpace(trigger)) throw new ArgumentException("a trigger word must not be empty", nameof(trigger));
        var gate = new AdapterGate(trigger);
        _gates.Add(gate);
        return gate;
    }

    /// <summary>
    /// Sets every gate for one model call whose batch row i has the prompt <paramref name="rowPrompts"/>[i]; disposing the
    /// result closes them again. <paramref name="rowPrompts"/> may be null only while no adapter is gated.
    /// </summary>
    /// <exception cref="ArgumentException">Adapters are gated but no prompts were given.</exception>
    /// <exception cref="InvalidOperationException">The gates are already open (calls do not nest).</exception>
    public IDisposable Open(IReadOnlyList<string>? rowPrompts)
    {
        if (!Any) return NothingToClose.Instance;
        if (rowPrompts is null) throw new ArgumentException($"this model has adapters gated on {string.Join(", ", _gates.Select(g => $"'{g.Trigger}'"))}: its callers must give each batch row's prompt");
        if (_open) throw new InvalidOperationException("the prompt gates are already open for another call");
        foreach (var gate in _gates) gate.Open(rowPrompts);
        _open = true;
        return new Scope(this);
    }

    void Close()
    {
        foreach (var gate in _gates) gate.Close();
        _open = false;
    }

    sealed class Scope(PromptGates gates) : IDisposable
    {
        bool _closed;

        public void Dispose()
        {
            if (_closed) return;
            _closed = true;
            gates.Close();
        }
    }

    sealed class NothingToClose : IDisposable
    {
        public static readonly NothingToClose Instance = new();

        public void Dispose()
        {
        }
    }
}
