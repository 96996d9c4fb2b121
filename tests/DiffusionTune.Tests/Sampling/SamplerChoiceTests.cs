using DiffusionTune.Diffusion.Samplers;

namespace DiffusionTune.Tests.Sampling;

public sealed class SamplerChoiceTests
{
    [Theory]
    [InlineData("ddim", SamplerKind.Ddim, false)]
    [InlineData("DDIM", SamplerKind.Ddim, false)]
    [InlineData("euler", SamplerKind.Euler, false)]
    [InlineData("Euler Karras", SamplerKind.Euler, true)]
    [InlineData("euler_a", SamplerKind.EulerAncestral, false)]
    [InlineData("Euler a", SamplerKind.EulerAncestral, false)]
    [InlineData("euler-ancestral", SamplerKind.EulerAncestral, false)]
    [InlineData("euler_a_karras", SamplerKind.EulerAncestral, true)]
    [InlineData("dpmpp_2m", SamplerKind.DpmPlusPlus2M, false)]
    [InlineData("DPM++ 2M", SamplerKind.DpmPlusPlus2M, false)]
    [InlineData("DPM++ 2M Karras", SamplerKind.DpmPlusPlus2M, true)]
    [InlineData(" dpmpp_2m_karras ", SamplerKind.DpmPlusPlus2M, true)]
    public void Parses_short_and_display_names(string text, SamplerKind kind, bool karras) =>
        Assert.Equal(new SamplerChoice(kind, karras), SamplerChoice.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("heun")]
    [InlineData("DPM++ 2S a")]
    [InlineData("DDIM Karras")]
    [InlineData("karras")]
    public void Rejects_unknown_samplers(string text)
    {
        Assert.False(SamplerChoice.TryParse(text, out _));
        Assert.Contains("euler_a", Assert.Throws<FormatException>(() => SamplerChoice.Parse(text)).Message);
    }

    [Fact]
    public void Display_names_are_automatic1111_spellings_and_parse_back()
    {
        Assert.Equal(
            ["DDIM", "Euler", "Euler Karras", "Euler a", "Euler a Karras", "DPM++ 2M", "DPM++ 2M Karras"],
            SamplerChoice.All.Select(choice => choice.DisplayName));
        foreach (var choice in SamplerChoice.All)
        {
            Assert.Equal(choice, SamplerChoice.Parse(choice.DisplayName));
            Assert.Equal(choice, SamplerChoice.Parse(choice.ShortName));
        }
    }
}
