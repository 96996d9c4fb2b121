using System.Globalization;

namespace DiffusionTune.Models.Configuration;

/// <summary>
/// Collects what is wrong with one model config, field by field, so that a single message names every bad field.
/// A config checks its <see cref="FieldRange{TConfig}"/> table first; the checks that combine fields (divisibility,
/// per-level lists) run only while <see cref="None"/> holds, so they never see a negative or absurd value.
/// </summary>
public sealed class ConfigProblems(string configKind)
{
    readonly List<string> _problems = [];

    /// <summary>True while nothing is wrong.</summary>
    public bool None => _problems.Count == 0;

    public void Require(bool ok, string problem)
    {
        if (!ok) _problems.Add(problem);
    }

    /// <summary>Checks every range of <paramref name="ranges"/> against <paramref name="config"/>.</summary>
    public void CheckRanges<TConfig>(TConfig config, IEnumerable<FieldRange<TConfig>> ranges)
    {
        foreach (var range in ranges)
        {
            var values = range.Values(config);
            for (int i = 0; i < values.Count; i++)
            {
                // Written so that NaN fails too.
                if (values[i] >= range.Min && values[i] <= range.Max) continue;
                var field = values.Count == 1 ? range.Field : $"{range.Field}[{i}]";
                _problems.Add($"{field} = {Format(values[i])} is out of range ({Format(range.Min)} to {Format(range.Max)})");
            }
        }
    }

    /// <summary>Throws <see cref="InvalidDataException"/> naming every problem found, if any.</summary>
    public void ThrowIfAny()
    {
        if (_problems.Count > 0)
            throw new InvalidDataException($"unsupported {configKind} config: {string.Join("; ", _problems)}");
    }

    static string Format(double value) => value.ToString("G", CultureInfo.InvariantCulture);
}
