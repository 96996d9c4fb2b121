using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionTune.Models.Training;

/// <summary>
/// The custom autograd function behind <see cref="GradientCheckpoint"/>. Its arguments are a <see cref="Call"/>, the
/// call's input tensors, and possibly a trailing empty tensor that only makes the call part of the graph.
/// </summary>
internal sealed class CheckpointFunction : autograd.MultiTensorFunction<CheckpointFunction>
{
    const string CallKey = "call";
    const string ArgumentCountKey = "argument count";

    /// <summary>The function to checkpoint and how many of the tensor arguments that follow are its inputs.</summary>
    public sealed record Call(Func<Tensor[], Tensor[]> Function, int InputCount);

    public override string Name => nameof(CheckpointFunction);

    /// <summary>Runs the function (TorchSharp calls this with grad disabled) and saves its inputs.</summary>
    public override List<Tensor> forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var call = (Call)vars[0];
        var inputs = vars.Skip(1).Take(call.InputCount).Cast<Tensor>().ToArray();
        ctx.save_for_backward([.. inputs]);
        ctx.save_data(CallKey, call);
        ctx.save_data(ArgumentCountKey, vars.Length);
        // TorchSharp would zero-fill missing output gradients from templates it creates in the caller's dispose scope,
        // which GradientCheckpoint.Run disposes at once; backward treats a missing gradient as zero instead.
        ctx.set_materialize_grads(false);
        return [.. call.Function(inputs)];
    }

    /// <summary>Recomputes the function with grad enabled on detached copies of the inputs and backpropagates through it.</summary>
    public override List<Tensor> backward(autograd.AutogradContext ctx, List<Tensor> grad_outputs)
    {
        ReturnedGradients.ReleasePrevious();
        var call = (Call)ctx.get_data(CallKey);
        int argumentCount = (int)ctx.get_data(ArgumentCountKey);
        var gradients = new List<Tensor?> { null };
        using (var scope = NewDisposeScope())
        {
            var saved = ctx.get_saved_variables();
            var detached = saved.Select(input => input.detach().requires_grad_(input.requires_grad)).ToArray();
            Tensor[] outputs;
            using (enable_grad()) outputs = call.Function(detached);

            var differentiated = new List<Tensor>();
            var outputGradients = new List<Tensor>();
            for (int i = 0; i < outputs.Length; i++)
            {
                // An output with no gradient (unused downstream) contributes zero; one that needs none has nothing to pass on.
                if (grad_outputs[i].IsInvalid || !outputs[i].requires_grad) continue;
                differentiated.Add(outputs[i]);
                outputGradients.Add(grad_outputs[i]);
            }
            if (differentiated.Count > 0) autograd.backward(differentiated, outputGradients);

            foreach (var input in detached)
            {
                var gradient = input.requires_grad ? input.grad : null;
                if (gradient is not null) scope.Detach(gradient);
                gradients.Add(gradient);
            }
        }
        // The engine passed these in and is done with them; disposing them now, rather than whenever the caller's
        // scope (or the finalizer, on CUDA's worker thread) gets to them, frees the memory behind them as backward goes.
        foreach (var gradOutput in grad_outputs) gradOutput.Dispose();
        ReturnedGradients.Keep(gradients.OfType<Tensor>());
        while (gradients.Count < argumentCount) gradients.Add(null);
        return gradients!;
    }
}
