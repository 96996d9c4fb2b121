using DiffusionTune.Models.Merging;

namespace DiffusionTune.Diffusion.Calibration;

/// <summary>
/// Searches strengths (<see cref="BlockWeights"/>) between a base model (all 0) and a fine-tune (all 1) that keep the
/// most concept fidelity while the general drift stays within a limit. First a global sweep (α = 0 … 1, then
/// bisection at the limit), then a per-block refinement from the best global α: each round measures every knob one
/// step up and down and takes the best move that stays within the limit; when none helps, it tries trading drift
/// between knobs (the most efficient raise paired with the cheapest cut) before refining the step. Measuring a point
/// is the caller's (a pass of a model over the prompts), so the search itself is plain arithmetic.
/// </summary>
public sealed class CalibrationSearch
{
    /// <summary>Measures the model at <paramref name="weights"/>.</summary>
    public delegate CalibrationPoint Measure(BlockWeights weights, CalibrationPhase phase);

    readonly Measure _measure;
    readonly CalibrationSettings _settings;
    readonly double _limit;
    readonly List<CalibrationPoint> _points = [];
    readonly Dictionary<string, CalibrationPoint> _measured = [];

    CalibrationSearch(Measure measure, CalibrationSettings settings, double limit)
    {
        _measure = measure;
        _settings = settings;
        _limit = limit;
    }

    /// <summary>Runs the search with at most <see cref="CalibrationSettings.MaxEvaluations"/> measurements.</summary>
    /// <param name="limit">The general drift allowed (see <see cref="DriftBudget.Limit"/>).</param>
    /// <param name="knobs">The strengths the per-block refinement moves.</param>
    public static CalibrationResult Run(Measure measure, double limit, IReadOnlyList<CalibrationKnob> knobs, CalibrationSettings settings)
    {
        settings.Validate();
        if (!(limit >= 0)) throw new ArgumentException($"the drift limit must be a non-negative number (got {limit})", nameof(limit));
        var search = new CalibrationSearch(measure, settings, limit);
        var bestGlobal = search.SweepGlobal();
        var tuned = search._measured[Key(BlockWeights.Uniform(1))];
        if (!tuned.Within(limit) && settings.BlockSteps.Count > 0 && knobs.Count > 0)
            search.RefinePerBlock(bestGlobal, knobs);
        return new CalibrationResult(search._points, search.Best(), limit, tuned);
    }

    CalibrationPoint SweepGlobal()
    {
        int n = _settings.GlobalSteps;
        var sweep = Enumerable.Range(0, n + 1).Select(i => MeasureAt(BlockWeights.Uniform((double)i / n), CalibrationPhase.Global)!).ToList();
        int lastWithin = sweep.FindLastIndex(p => p.Within(_limit));
        if (lastWithin < 0 || lastWithin == n) return lastWithin < 0 ? sweep[0] : sweep[n];
        // Drift grows with α, so the limit is crossed between the last point within it and the next.
        double low = (double)lastWithin / n, high = (double)(lastWithin + 1) / n;
        var best = sweep[lastWithin];
        for (int i = 0; i < _settings.Bisections; i++)
        {
            // Rounded so that specs and reports read 0.64375, not 0.6437499999999999.
            double middle = Math.Round((low + high) / 2, 6);
            if (MeasureAt(BlockWeights.Uniform(middle), CalibrationPhase.Global) is not { } point) break;
            if (point.Within(_limit))
            {
                low = middle;
                if (point.ConceptFidelity > best.ConceptFidelity) best = point;
            }
            else
            {
                high = middle;
            }
        }
        return best;
    }

    void RefinePerBlock(CalibrationPoint start, IReadOnlyList<CalibrationKnob> knobs)
    {
        // The global α written out per knob, so that moving one knob leaves the others where they were.
        var current = start with { Weights = knobs.Aggregate(start.Weights, (w, knob) => knob.Write(w, knob.Read(w))) };
        _measured.TryAdd(Key(current.Weights), current);
        foreach (var step in _settings.BlockSteps)
        {
            while (Advance(current, knobs, step) is { } next) current = next;
        }
    }

    /// <summary>The next point from <paramref name="current"/> at this step size, or null when no move helps (or the budget of measurements is spent).</summary>
    CalibrationPoint? Advance(CalibrationPoint current, IReadOnlyList<CalibrationKnob> knobs, double step)
    {
        var moves = new List<(CalibrationKnob Knob, double Direction, CalibrationPoint Point)>();
        foreach (var knob in knobs)
        {
            foreach (var direction in new[] { +1.0, -1.0 })
            {
                if (knob.Moved(current.Weights, direction * step) is not { } weights) continue;
                if (MeasureAt(weights, CalibrationPhase.PerBlock) is not { } point) return null;
                moves.Add((knob, direction, point));
            }
        }
        var improving = moves.Select(m => m.Point).Where(p => p.Within(_limit) && p.ConceptFidelity > current.ConceptFidelity + _settings.MinimumGain).ToList();
        if (improving.Count > 0) return Better(improving);

        // Nothing fits alone: give the knob that buys the most fidelity per unit of drift what the cheapest cut frees.
        var raises = moves.Where(m => m.Direction > 0 && m.Point.ConceptFidelity > current.ConceptFidelity).ToList();
        if (raises.Count == 0) return null;
        var raise = raises.MaxBy(m => (m.Point.ConceptFidelity - current.ConceptFidelity) / Math.Max(m.Point.GeneralDrift - current.GeneralDrift, double.Epsilon));
        var cuts = moves.Where(m => m.Direction < 0 && m.Knob != raise.Knob && m.Point.GeneralDrift < current.GeneralDrift).ToList();
        if (cuts.Count == 0) return null;
        var cut = cuts.MinBy(m => (current.ConceptFidelity - m.Point.ConceptFidelity) / (current.GeneralDrift - m.Point.GeneralDrift));
        if (cut.Knob.Moved(raise.Point.Weights, -step) is not { } traded) return null;
        var tradedPoint = MeasureAt(traded, CalibrationPhase.PerBlock);
        return tradedPoint is not null && tradedPoint.Within(_limit) && tradedPoint.ConceptFidelity > current.ConceptFidelity + _settings.MinimumGain
            ? tradedPoint
            : null;
    }

    /// <summary>Measures a point once (repeats come from memory); null when no measurements are left.</summary>
    CalibrationPoint? MeasureAt(BlockWeights weights, CalibrationPhase phase)
    {
        var key = Key(weights);
        if (_measured.TryGetValue(key, out var known)) return known;
        if (_points.Count >= _settings.MaxEvaluations) return null;
        var point = _measure(weights, phase);
        _points.Add(point);
        _measured[key] = point;
        return point;
    }

    CalibrationPoint Best() => Better(_points.Where(p => p.Within(_limit)).DefaultIfEmpty(_points[0]));

    static CalibrationPoint Better(IEnumerable<CalibrationPoint> points) =>
        points.OrderByDescending(p => p.ConceptFidelity).ThenBy(p => p.GeneralDrift).First();

    static string Key(BlockWeights weights) => weights.ToString();
}
