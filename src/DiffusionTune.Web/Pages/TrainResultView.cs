using System.Text;
using DiffusionTune.Diffusion.Damage;
using DiffusionTune.Web.Training;
using DiffusionTune.Workflows.Damage;

namespace DiffusionTune.Web.Pages;

/// <summary>A finished train job's result on its page: the before/after grid, the damage report as a picture with its plain-language verdict, and the next steps.</summary>
public static class TrainResultView
{
    /// <param name="damage">The damage report, or null when the run wrote none.</param>
    public static string Body(string jobId, TrainResultFile result, DamageReport? damage)
    {
        var html = new StringBuilder("""<h2>Result</h2>""");
        if (result.BeforeAfterGrid is not null)
            html.Append($"""<figure class="grid"><img id="before-after-grid" data-testid="before-after-grid" src="/jobs/{Html.U(jobId)}/train/grid" alt="before/after grid"><figcaption>Left: the base model; right: after training (same seeds).</figcaption></figure>""");
        if (damage is not null)
        {
            html.Append("<h3>What training changed</h3>");
            html.Append($"""<p class="verdict" id="damage-verdict" data-testid="damage-verdict">{Html.E(DriftVerdict.For(damage.General.Total.Relative, damage.Concept?.Total.Relative))}</p>""");
            html.Append(DamageChart.Svg(damage));
        }
        html.Append($"""<details open><summary>Written, and how to try it</summary><pre data-testid="next-steps">{Html.E(string.Join('\n', result.NextSteps))}</pre></details>""");
        return html.ToString();
    }
}
