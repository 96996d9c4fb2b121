using static TorchSharp.torch;

namespace DiffusionTune.Models.Training;

/// <summary>
/// Gradient (activation) checkpointing, which TorchSharp lacks: runs a function of some tensors without keeping the
/// activations it computes on the way, and recomputes them when backward reaches it. Memory for those activations is
/// traded for one extra forward pass of the function during backward.
/// </summary>
/// <remarks>
/// <para>
/// Gradients reach every input that requires grad and every leaf tensor the function uses that requires grad: the
/// parameters of the modules it calls, and equally parameters it reaches in other ways, such as LoRA weights added
/// by forward hooks. During backward, the recomputed function is differentiated with
/// <c>torch.autograd.backward</c>, so parameter gradients are accumulated straight into their <c>.grad</c>, as
/// <c>loss.backward()</c> would. It follows that:
/// </para>
/// <list type="bullet">
/// <item>Any tensor that requires grad and is not a leaf (a text-encoder output, a time embedding) must be passed as
/// an input, not captured by the function; otherwise recomputation would reach into the outer graph.</item>
/// <item>Use it with <c>loss.backward()</c>. <c>torch.autograd.grad</c> over the outer graph, backward with
/// <c>inputs</c> or <c>create_graph</c> (double backward) do not see the parameters' gradients correctly.</item>
/// <item>The function must compute the same thing twice. The random-number state is not saved and restored around
/// the recomputation, so functions with dropout (p &gt; 0) or other randomness get different masks in backward.
/// The Stable Diffusion UNet's dropout is 0.</item>
/// </list>
/// <para>
/// With grad disabled the function simply runs. The inputs are kept alive until backward; the function's own
/// temporaries should be disposed by the function itself (module forwards open a dispose scope). The gradients
/// handed back to the graph are released by the next checkpoint backward on the same thread, so one backward's
/// worth stays alive between steps. An exception thrown while recomputing (out of memory, say) is raised inside
/// libtorch's backward callback, which cannot pass it on: the process ends with the exception printed.
/// </para>
/// </remarks>
public static class GradientCheckpoint
{
    /// <summary>
    /// Runs <paramref name="function"/> on <paramref name="inputs"/>, keeping only the inputs for backward.
    /// </summary>
    /// <param name="function">
    /// Computes the outputs from the inputs (in the order given). It runs twice, the second time during backward,
    /// possibly on another thread (CUDA's autograd worker). Each output must be a distinct tensor.
    /// </param>
    /// <param name="inputs">The tensors the function reads; those that do not require grad get no gradient.</param>
    /// <returns>The function's outputs, connected to the autograd graph.</returns>
    public static Tensor[] Run(Func<Tensor[], Tensor[]> function, params Tensor[] inputs)
    {
        if (!is_grad_enabled()) return function(inputs);

        // Besides the outputs, TorchSharp creates a same-sized zero-fill template per output (unused: backward treats a
        // missing gradient as zero) and the function leaves its own handles on the outputs; this scope frees them at once.
        using var scope = NewDisposeScope();
        var arguments = new List<object> { new CheckpointFunction.Call(function, inputs.Length) };
        arguments.AddRange(inputs);
        // TorchSharp only records a custom function in the graph when one of its tensor arguments requires grad. When
        // none does (a frozen model with trainable LoRA weights), an empty trainable tensor makes it record anyway.
        if (!inputs.Any(input => input.requires_grad))
            arguments.Add(empty(0, device: inputs.Length > 0 ? inputs[0].device : CPU, requires_grad: true));
        var outputs = CheckpointFunction.apply(arguments.ToArray()).ToArray();
        scope.MoveToOuter(outputs);
        return outputs;
    }
}
