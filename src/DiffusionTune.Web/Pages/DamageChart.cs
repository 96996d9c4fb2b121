using System.Globalization;
using System.Text;
using DiffusionTune.Diffusion.Damage;
using DiffusionTune.Workflows.Damage;

namespace DiffusionTune.Web.Pages;

/// <summary>
/// A damage report as a picture: the relative prediction drift per UNet block and per timestep as horizontal SVG bars,
/// the general prompts (what should not have changed) beside the concept prompts (what was taught), each with its
/// figure; drawn on the server, so the page needs no chart library.
/// </summary>
public static class DamageChart
{
    const int LabelWidth = 150, BarWidth = 380, ValueWidth = 70, RowHeight = 18, BarHeight = 7, Heading = 24;
    const string GeneralColour = "#3b5bdb", ConceptColour = "#f08c00";

    public static string Svg(DamageReport report)
    {
        List<(string Label, DriftFigure General, DriftFigure? Concept)> rows = [("all timesteps", report.General.Total, report.Concept?.Total)];
        List<(string Label, DriftFigure General, DriftFigure? Concept)> blocks =
            [.. report.General.Blocks.Select((b, i) => (b.Block, b.Drift, report.Concept?.Blocks.ElementAtOrDefault(i)?.Drift))];
        List<(string Label, DriftFigure General, DriftFigure? Concept)> timesteps =
            [.. report.General.Timesteps.Select((t, i) => ($"t = {t.Timestep}", t.Drift, report.Concept?.Timesteps.ElementAtOrDefault(i)?.Drift))];
        double max = new[] { rows, blocks, timesteps }.SelectMany(r => r).SelectMany(r => new[] { r.General.Relative, r.Concept?.Relative ?? 0 }).Where(double.IsFinite).DefaultIfEmpty(0).Max();
        int height = Heading * 4 + RowHeight * (rows.Count + blocks.Count + timesteps.Count);
        var svg = new StringBuilder($"""
            <svg class="damage-chart" data-testid="damage-chart" xmlns="http://www.w3.org/2000/svg" width="{LabelWidth + BarWidth + ValueWidth * 2}" height="{height}" role="img" aria-label="Prediction drift per block and per timestep">
            <rect x="{LabelWidth}" y="4" width="10" height="10" fill="{GeneralColour}"/><text x="{LabelWidth + 14}" y="13">general prompts (damage)</text>
            <rect x="{LabelWidth + 200}" y="4" width="10" height="10" fill="{ConceptColour}"/><text x="{LabelWidth + 214}" y="13">concept prompts (what was taught)</text>
            """);
        int y = Heading;
        void Section(string title, IReadOnlyList<(string Label, DriftFigure General, DriftFigure? Concept)> section, string testId)
        {
            svg.Append($"""<g data-testid="{testId}"><text x="0" y="{y + 14}" font-weight="600">{Html.E(title)}</text>""");
            y += Heading;
            foreach (var (label, general, concept) in section)
            {
                svg.Append($"""<text x="0" y="{y + 12}">{Html.E(label)}</text>""");
                Bar(svg, y + 1, general.Relative, max, GeneralColour);
                if (concept is not null) Bar(svg, y + 1 + BarHeight + 1, concept.Relative, max, ConceptColour);
                svg.Append($"""<text x="{LabelWidth + BarWidth + 6}" y="{y + 12}" fill="{GeneralColour}">{Html.E(DriftVerdict.Percent(general.Relative))}</text>""");
                if (concept is not null)
                    svg.Append($"""<text x="{LabelWidth + BarWidth + ValueWidth + 6}" y="{y + 12}" fill="{ConceptColour}">{Html.E(DriftVerdict.Percent(concept.Relative))}</text>""");
                y += RowHeight;
            }
            svg.Append("</g>");
        }
        Section("Overall", rows, "damage-total");
        Section("Per UNet block", blocks, "damage-blocks");
        Section("Per timestep", timesteps, "damage-timesteps");
        return svg.Append("</svg>").ToString();
    }

    static void Bar(StringBuilder svg, int y, double value, double max, string colour)
    {
        double width = max > 0 && double.IsFinite(value) ? Math.Max(1, value / max * BarWidth) : 1;
        svg.Append($"""<rect x="{LabelWidth}" y="{y}" width="{width.ToString("F1", CultureInfo.InvariantCulture)}" height="{BarHeight}" fill="{colour}"><title>{Html.E(DriftVerdict.Percent(value))}</title></rect>""");
    }
}
