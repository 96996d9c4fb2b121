using static TorchSharp.torch;

namespace DiffusionTune.IO.Formats;

/// <summary>
/// How a target tensor is computed from its source tensor(s) when a checkpoint changes layout. A transform can
/// also predict the target shape from the source shapes alone, so a plan can be checked against a file's header
/// before any tensor is read. Problems with the sources are reported as <see cref="InvalidDataException"/>.
/// </summary>
public abstract class TensorTransform
{
    private protected TensorTransform(string name) => Name = name;

    public string Name { get; }

    public override string ToString() => Name;

    /// <summary>The source itself, unchanged.</summary>
    public static TensorTransform Identity { get; } = new IdentityTransform();

    /// <summary>A 1×1 convolution weight <c>[out, in, 1, 1]</c> (or Conv1d <c>[out, in, 1]</c>) as a linear weight <c>[out, in]</c>; a 2-D source passes unchanged.</summary>
    public static TensorTransform ConvToLinear { get; } = new ConvToLinearTransform();

    /// <summary>A linear weight <c>[out, in]</c> as a 1×1 convolution weight <c>[out, in, 1, 1]</c>; a 4-D source passes unchanged.</summary>
    public static TensorTransform LinearToConv { get; } = new LinearToConvTransform();

    /// <summary>Concatenates the sources along dimension 0 (fused q/k/v projections).</summary>
    public static TensorTransform Concatenate { get; } = new ConcatenateTransform();

    /// <summary>The int64 buffer <c>[[0, 1, …, P-1]]</c> of a <c>[P, C]</c> position embedding (CLIP's <c>position_ids</c>).</summary>
    public static TensorTransform PositionIds { get; } = new PositionIdsTransform();

    /// <summary>Part <paramref name="index"/> of <paramref name="count"/> equal parts along dimension 0, copied so the whole source can be freed.</summary>
    public static TensorTransform Chunk(int index, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, count);
        return new ChunkTransform(index, count);
    }

    /// <summary>Whether the transform takes <paramref name="count"/> sources.</summary>
    public virtual bool AcceptsSourceCount(int count) => count == 1;

    /// <summary>The target's shape for sources of <paramref name="sourceShapes"/>; throws <see cref="InvalidDataException"/> when they do not fit.</summary>
    public abstract long[] TargetShape(IReadOnlyList<long[]> sourceShapes);

    /// <summary>
    /// Computes the target. The result is either one of <paramref name="sources"/> (for <see cref="Identity"/>) or a new
    /// tensor, possibly a view sharing a source's storage; disposing the sources' handles afterwards is safe.
    /// </summary>
    public Tensor Apply(IReadOnlyList<Tensor> sources)
    {
        TargetShape([.. sources.Select(s => s.shape)]);
        return Compute(sources);
    }

    private protected abstract Tensor Compute(IReadOnlyList<Tensor> sources);

    static string Format(long[] shape) => $"[{string.Join(", ", shape)}]";

    sealed class IdentityTransform() : TensorTransform("identity")
    {
        public override long[] TargetShape(IReadOnlyList<long[]> sourceShapes) => sourceShapes[0];

        private protected override Tensor Compute(IReadOnlyList<Tensor> sources) => sources[0];
    }

    sealed class ConvToLinearTransform() : TensorTransform("1x1 conv -> linear")
    {
        public override long[] TargetShape(IReadOnlyList<long[]> sourceShapes)
        {
            var shape = sourceShapes[0];
            if (shape.Length == 2 || (shape.Length is 3 or 4 && shape.Skip(2).All(d => d == 1)))
                return [shape[0], shape[1]];
            throw new InvalidDataException($"expected a linear [out, in] or 1x1 convolution [out, in, 1, 1] weight, got {Format(shape)}");
        }

        private protected override Tensor Compute(IReadOnlyList<Tensor> sources) =>
            sources[0].dim() == 2 ? sources[0] : sources[0].reshape(sources[0].shape[0], sources[0].shape[1]);
    }

    sealed class LinearToConvTransform() : TensorTransform("linear -> 1x1 conv")
    {
        public override long[] TargetShape(IReadOnlyList<long[]> sourceShapes)
        {
            var shape = sourceShapes[0];
            if (shape.Length == 2 || (shape.Length == 4 && shape[2] == 1 && shape[3] == 1))
                return [shape[0], shape[1], 1, 1];
            throw new InvalidDataException($"expected a linear [out, in] or 1x1 convolution [out, in, 1, 1] weight, got {Format(shape)}");
        }

        private protected override Tensor Compute(IReadOnlyList<Tensor> sources) =>
            sources[0].dim() == 4 ? sources[0] : sources[0].reshape(sources[0].shape[0], sources[0].shape[1], 1, 1);
    }

    sealed class ChunkTransform(int index, int count) : TensorTransform($"part {index + 1} of {count} along dim 0")
    {
        public override long[] TargetShape(IReadOnlyList<long[]> sourceShapes)
        {
            var shape = sourceShapes[0];
            if (shape.Length == 0 || shape[0] % count != 0)
                throw new InvalidDataException($"cannot split {Format(shape)} into {count} equal parts along its first dimension");
            return [shape[0] / count, .. shape.Skip(1)];
        }

        private protected override Tensor Compute(IReadOnlyList<Tensor> sources)
        {
            long part = sources[0].shape[0] / count;
            using var slice = sources[0].narrow(0, index * part, part);
            return slice.clone();
        }
    }

    sealed class ConcatenateTransform() : TensorTransform("concatenate along dim 0")
    {
        public override bool AcceptsSourceCount(int count) => count >= 1;

        public override long[] TargetShape(IReadOnlyList<long[]> sourceShapes)
        {
            var first = sourceShapes[0];
            if (first.Length == 0 || sourceShapes.Any(s => s.Length != first.Length || !s.Skip(1).SequenceEqual(first.Skip(1))))
                throw new InvalidDataException($"cannot concatenate {string.Join(", ", sourceShapes.Select(Format))} along the first dimension");
            return [sourceShapes.Sum(s => s[0]), .. first.Skip(1)];
        }

        private protected override Tensor Compute(IReadOnlyList<Tensor> sources) => cat([.. sources], 0);
    }

    sealed class PositionIdsTransform() : TensorTransform("position ids of a position embedding")
    {
        public override long[] TargetShape(IReadOnlyList<long[]> sourceShapes)
        {
            var shape = sourceShapes[0];
            if (shape.Length != 2)
                throw new InvalidDataException($"expected a [positions, width] position embedding, got {Format(shape)}");
            return [1, shape[0]];
        }

        private protected override Tensor Compute(IReadOnlyList<Tensor> sources)
        {
            using var ids = arange(sources[0].shape[0], ScalarType.Int64);
            return ids.unsqueeze(0);
        }
    }
}
