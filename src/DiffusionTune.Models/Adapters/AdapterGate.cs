using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionTune.Models.Adapters;

/// <summary>
/// The switch of one prompt-gated adapter: during a model call it says which batch rows' prompts contain the
/// adapter's trigger word, so the adapter changes those rows and leaves every other row bit for bit as the model
/// without it computes them. The rows are set for one call at a time by <see cref="PromptGates.Open"/>; a gated
/// adapter asked to run outside such a call throws rather than guess, so one call's prompts never leak into the next.
/// </summary>
public sealed class AdapterGate
{
    // Reused: an implicit Scalar per call would wait for the GC (see the TorchSharp notes).
    static readonly Scalar One = 1;

    long[]? _activeRows;
    int _rowCount;
    Tensor? _index;

    internal AdapterGate(string trigger) => Trigger = trigger;

    /// <summary>The word a prompt must contain for the adapter to apply (<see cref="PromptWord.Occurs"/>).</summary>
    public string Trigger { get; }

    internal void Open(IReadOnlyList<string> rowPrompts)
    {
        _rowCount = rowPrompts.Count;
        _activeRows = [.. Enumerable.Range(0, rowPrompts.Count).Where(row => PromptWord.Occurs(rowPrompts[row], Trigger)).Select(row => (long)row)];
    }

    internal void Close()
    {
        _activeRows = null;
        _index?.Dispose();
        _index = null;
    }

    /// <summary>Whether the adapter applies to any row of a batch of <paramref name="batchSize"/> rows in the current call.</summary>
    /// <exception cref="InvalidOperationException">No call is open, or it was opened for another number of rows.</exception>
    internal bool AppliesToAny(long batchSize)
    {
        if (_activeRows is null)
            throw new InvalidOperationException($"an adapter gated on '{Trigger}' ran outside a prompt-gated call: the model was called without saying each batch row's prompt");
        if (batchSize != _rowCount)
            throw new InvalidOperationException($"an adapter gated on '{Trigger}' ran on a batch of {batchSize} rows, but prompts were given for {_rowCount}");
        return _activeRows.Length > 0;
    }

    /// <summary><paramref name="output"/> + <paramref name="term"/>(<paramref name="input"/>) on the rows <paramref name="gate"/> opens, on all rows when it is null.</summary>
    internal static Tensor AddTerm(AdapterGate? gate, Tensor output, Tensor input, Func<Tensor, Tensor> term) =>
        gate is null ? output + term(input) : gate.AddToActiveRows(output, input, term);

    /// <summary>
    /// <paramref name="output"/> with <paramref name="term"/> of the matching rows of <paramref name="input"/> added to
    /// the rows whose prompt contains the trigger; every other row is <paramref name="output"/>'s own, untouched.
    /// </summary>
    Tensor AddToActiveRows(Tensor output, Tensor input, Func<Tensor, Tensor> term)
    {
        if (!AppliesToAny(output.shape[0])) return output;
        if (_activeRows!.Length == _rowCount) return output + term(input);
        var index = RowIndex(output.device);
        return output.index_add(0, index, term(input.index_select(0, index)), One);
    }

    /// <summary>The active rows as an index tensor on <paramref name="device"/>, made once per call and device.</summary>
    Tensor RowIndex(Device device)
    {
        if (_index is null || _index.device_type != device.type || _index.device_index != device.index)
        {
            _index?.Dispose();
            _index = tensor(_activeRows!, ScalarType.Int64, device).DetachFromDisposeScope();
        }
        return _index;
    }
}
