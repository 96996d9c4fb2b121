namespace DiffusionTune.ShapesWorld;

/// <summary>
/// Sine and cosine from plain IEEE arithmetic. <see cref="Math.Sin"/> comes from the platform's C library and may
/// differ in the last bit between machines; geometry built from these functions is bit-identical everywhere.
/// </summary>
static class DeterministicTrig
{
    public static double Sin(double radians)
    {
        double x = ReduceToPlusMinusPi(radians);
        // Taylor series; on [-π, π] the terms after x^29 are below 1e-16 relative to the result.
        double term = x, sum = x, square = x * x;
        for (int n = 1; n <= 14; n++)
        {
            term *= -square / ((2 * n) * (2 * n + 1));
            sum += term;
        }
        return sum;
    }

    public static double Cos(double radians) => Sin(radians + Math.PI / 2);

    public static double DegreesToRadians(double degrees) => degrees * (Math.PI / 180);

    static double ReduceToPlusMinusPi(double radians) => radians - Math.Round(radians / (2 * Math.PI)) * (2 * Math.PI);
}
