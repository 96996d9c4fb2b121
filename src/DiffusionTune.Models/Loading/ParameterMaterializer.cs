using DiffusionTune.IO;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Models.Loading;

/// <summary>
/// Puts weights into a module, usually one built on the meta device, by replacing each parameter with the tensor of
/// the same name. Unlike TorchSharp's <c>load_state_dict</c> it names every missing and unexpected key, checks every
/// shape (<c>copy_</c> would broadcast silently), and reads one tensor at a time from a memory-mapped file.
/// </summary>
public static class ParameterMaterializer
{
    const int MaxNamesInMessage = 12;

    /// <summary>
    /// Loads every parameter of <paramref name="module"/> from <paramref name="source"/>, converted to
    /// <paramref name="dtype"/> on <paramref name="device"/>. Throws <see cref="ModelFileException"/> naming the missing,
    /// unexpected and mis-shaped tensors.
    /// </summary>
    public static void Load(nn.Module module, TensorSource source, Device device, ScalarType dtype)
    {
        var targets = ParameterSlots(module);
        var missing = targets.Keys.Where(name => !source.Contains(name)).ToList();
        var unexpected = source.Names.Where(name => !targets.ContainsKey(name)).ToList();
        var misshapen = targets.Where(t => source.Contains(t.Key) && !ShapesCompatible(source.ShapeOf(t.Key), t.Value.Shape))
            .Select(t => $"{t.Key} is [{string.Join(", ", source.ShapeOf(t.Key))}] in the file, the model needs [{string.Join(", ", t.Value.Shape)}]")
            .ToList();
        if (missing.Count > 0 || unexpected.Count > 0 || misshapen.Count > 0)
        {
            var problems = new List<string>();
            if (missing.Count > 0) problems.Add($"{missing.Count} missing tensor(s): {Abbreviate(missing)}");
            if (unexpected.Count > 0) problems.Add($"{unexpected.Count} unexpected tensor(s): {Abbreviate(unexpected)}");
            if (misshapen.Count > 0) problems.Add($"{misshapen.Count} tensor(s) of the wrong shape: {Abbreviate(misshapen)}");
            throw new ModelFileException(source.Origin,
                $"does not fit this {module.GetName()} config: {string.Join("; ", problems)}");
        }

        foreach (var (name, slot) in targets)
        {
            using var loaded = source.Load(name);
            var tensor = loaded.reshape(slot.Shape).to(dtype, device, copy: true);
            slot.Assign(new Parameter(tensor, requires_grad: slot.RequiresGrad));
        }
    }

    /// <summary>SD files store some projections as [C, C, 1, 1] 1×1 convs where the model has [C, C] linears, or the reverse.</summary>
    static bool ShapesCompatible(long[] stored, long[] wanted)
    {
        if (stored.SequenceEqual(wanted)) return true;
        static long[] Squeezed(long[] shape) => shape.Length == 4 && shape[2] == 1 && shape[3] == 1 ? shape[..2] : shape;
        return Squeezed(stored).SequenceEqual(Squeezed(wanted));
    }

    static string Abbreviate(List<string> names) =>
        names.Count <= MaxNamesInMessage
            ? string.Join(", ", names)
            : string.Join(", ", names.Take(MaxNamesInMessage)) + $", … and {names.Count - MaxNamesInMessage} more";

    sealed record Slot(long[] Shape, bool RequiresGrad, Action<Parameter> Assign);

    /// <summary>Every parameter of the module tree, with a way to replace it in its owning module.</summary>
    static Dictionary<string, Slot> ParameterSlots(nn.Module root)
    {
        var slots = new Dictionary<string, Slot>();
        foreach (var (prefix, owner) in root.named_modules().Prepend((string.Empty, root)))
        {
            foreach (var (localName, parameter) in owner.named_parameters(recurse: false))
            {
                var property = owner.GetType().GetProperty(localName);
                if (property is null || !property.CanWrite || !property.PropertyType.IsAssignableFrom(typeof(Parameter)))
                    throw new InvalidOperationException($"{owner.GetType().Name}.{localName} cannot be replaced: parameters must live in modules with a settable property of that name");
                var fullName = prefix.Length == 0 ? localName : $"{prefix}.{localName}";
                slots[fullName] = new Slot(parameter.shape, parameter.requires_grad, p => property.SetValue(owner, p));
            }
        }
        return slots;
    }
}
