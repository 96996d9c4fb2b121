using static TorchSharp.torch;

namespace DiffusionTune.IO.Safetensors;

/// <summary>One tensor described by a safetensors header; offsets are relative to the start of the data section.</summary>
public sealed record SafetensorsEntry(string Name, string Dtype, ScalarType ScalarType, long[] Shape, long Begin, long End)
{
    public long ByteLength => End - Begin;

    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
}
