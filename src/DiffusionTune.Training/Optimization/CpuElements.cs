using System.Runtime.Intrinsics;

namespace DiffusionTune.Training.Optimization;

/// <summary>
/// How the C# kernels (<see cref="FusedAdamWKernel"/>, <see cref="CpuGradientNorm"/>) read elements of each dtype as
/// fp32 and write them back, one at a time or eight at a time. They are type arguments, so the JIT compiles one
/// specialised loop per combination. Vector and scalar forms give identical results element by element.
/// </summary>
static unsafe class CpuElements
{
    public interface IElement
    {
        /// <summary>Whether <see cref="StoreVector"/> and <see cref="LoadVector"/> exist (else callers stay scalar).</summary>
        static abstract bool Vectorized { get; }

        /// <summary>Whether stores round with the random bits they are given.</summary>
        static abstract bool NeedsNoise { get; }

        static abstract float Load(void* data, long index);
        static abstract void Store(void* data, long index, float value, uint noise);
        static abstract Vector256<float> LoadVector(void* data, long index);
        static abstract void StoreVector(void* data, long index, Vector256<float> value, Vector256<uint> noise);
    }

    public struct Fp32 : IElement
    {
        public static bool Vectorized => true;
        public static bool NeedsNoise => false;
        public static float Load(void* data, long index) => ((float*)data)[index];
        public static void Store(void* data, long index, float value, uint noise) => ((float*)data)[index] = value;
        public static Vector256<float> LoadVector(void* data, long index) => Vector256.Load((float*)data + index);
        public static void StoreVector(void* data, long index, Vector256<float> value, Vector256<uint> noise) => value.Store((float*)data + index);
    }

    /// <summary>fp16 (the CUDA precision; on the CPU only for tests), scalar only.</summary>
    public struct Fp16 : IElement
    {
        public static bool Vectorized => false;
        public static bool NeedsNoise => false;
        public static float Load(void* data, long index) => (float)((Half*)data)[index];
        public static void Store(void* data, long index, float value, uint noise) => ((Half*)data)[index] = (Half)value;
        public static Vector256<float> LoadVector(void* data, long index) => throw new NotSupportedException();
        public static void StoreVector(void* data, long index, Vector256<float> value, Vector256<uint> noise) => throw new NotSupportedException();
    }

    /// <summary>bf16 rounded to nearest, ties to even, as libtorch converts (NaN stays NaN).</summary>
    public struct Bf16 : IElement
    {
        public static bool Vectorized => true;
        public static bool NeedsNoise => false;
        public static float Load(void* data, long index) => BitConverter.UInt32BitsToSingle((uint)((ushort*)data)[index] << 16);

        public static void Store(void* data, long index, float value, uint noise)
        {
            uint bits = BitConverter.SingleToUInt32Bits(value);
            ((ushort*)data)[index] = float.IsNaN(value) ? (ushort)0x7FC0 : (ushort)((bits + 0x7FFFu + ((bits >> 16) & 1)) >> 16);
        }

        public static Vector256<float> LoadVector(void* data, long index)
        {
            var raw = Vector128.Load((ushort*)data + index);
            var (low, high) = Vector128.Widen(raw);
            return Vector256.ShiftLeft(Vector256.Create(low, high), 16).AsSingle();
        }

        public static void StoreVector(void* data, long index, Vector256<float> value, Vector256<uint> noise)
        {
            var bits = value.AsUInt32();
            var rounded = Vector256.ShiftRightLogical(bits + Vector256.Create(0x7FFFu) + (Vector256.ShiftRightLogical(bits, 16) & Vector256<uint>.One), 16);
            var notNaN = Vector256.Equals(value, value).AsUInt32();
            rounded = Vector256.ConditionalSelect(notNaN, rounded, Vector256.Create(0x7FC0u));
            Narrow(rounded).Store((ushort*)data + index);
        }
    }

    /// <summary>
    /// bf16 rounded up or down with probability proportional to the distance (adding 16 random bits below the kept
    /// ones, then truncating), so repeated small changes survive on average. Non-finite values are kept as they are.
    /// </summary>
    public struct StochasticBf16 : IElement
    {
        public static bool Vectorized => true;
        public static bool NeedsNoise => true;
        public static float Load(void* data, long index) => Bf16.Load(data, index);
        public static Vector256<float> LoadVector(void* data, long index) => Bf16.LoadVector(data, index);

        public static void Store(void* data, long index, float value, uint noise)
        {
            uint bits = BitConverter.SingleToUInt32Bits(value);
            bool finite = (bits & 0x7F800000u) != 0x7F800000u;
            ((ushort*)data)[index] = (ushort)((finite ? bits + (noise & 0xFFFFu) : bits) >> 16);
        }

        public static void StoreVector(void* data, long index, Vector256<float> value, Vector256<uint> noise)
        {
            var bits = value.AsUInt32();
            var exponent = Vector256.Create(0x7F800000u);
            var finite = ~Vector256.Equals(bits & exponent, exponent);
            Narrow(Vector256.ShiftRightLogical(bits + (noise & Vector256.Create(0xFFFFu) & finite), 16)).Store((ushort*)data + index);
        }
    }

    /// <summary>The low 16 bits of each of eight 32-bit lanes.</summary>
    static Vector128<ushort> Narrow(Vector256<uint> values) => Vector128.Narrow(values.GetLower(), values.GetUpper());

    /// <summary>32 random-looking bits per element index (a 32-bit integer hash), the same in scalar and vector form.</summary>
    public static uint Noise(uint seed, uint index)
    {
        uint x = seed ^ index;
        x ^= x >> 16;
        x *= 0x7FEB352Du;
        x ^= x >> 15;
        x *= 0x846CA68Bu;
        return x ^ (x >> 16);
    }

    public static Vector256<uint> Noise(uint seed, Vector256<uint> indices)
    {
        var x = Vector256.Create(seed) ^ indices;
        x ^= Vector256.ShiftRightLogical(x, 16);
        x *= Vector256.Create(0x7FEB352Du);
        x ^= Vector256.ShiftRightLogical(x, 15);
        x *= Vector256.Create(0x846CA68Bu);
        return x ^ Vector256.ShiftRightLogical(x, 16);
    }
}
