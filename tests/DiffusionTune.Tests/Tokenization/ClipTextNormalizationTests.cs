using DiffusionTune.Models.Clip;

namespace DiffusionTune.Tests.Tokenization;

/// <summary>CLIP's text clean-up (ftfy subset, whitespace, lower-casing) and pre-tokenization; no vocabulary needed.</summary>
public class ClipTextNormalizationTests
{
    public static TheoryData<int> FixturePrompts => TokenFixtures.Indexes();

    [Theory]
    [MemberData(nameof(FixturePrompts))]
    public void Normalizes_each_fixture_prompt_like_the_reference(int index)
    {
        var prompt = TokenFixtures.All[index];
        Assert.Equal(prompt.NormalizedText, ClipTextNormalizer.Instance.Normalize(prompt.Text));
    }

    [Theory]
    [InlineData("&lt;tag&gt; &amp;amp; &#x2019;s &#8230;", "<tag> & 's …")] // decoded again until stable, as ftfy does
    [InlineData("P&EACUTE;REZ &Eacute; BUNDESSTRA&SZLIG;E", "PÉREZ É BUNDESSTRASSE")]
    [InlineData("this&not that &unknown; &#12ab; &#x;", "this&not that &unknown; &#12ab; &#x;")]
    [InlineData("&#0; &#128; &#150; &#xD800; &#1114112; &#99999999999999999999; &#1;x", "\uFFFD € – \uFFFD \uFFFD \uFFFD x")]
    public void Decodes_html_character_references_like_ftfy(string input, string expected) =>
        Assert.Equal(expected, ClipTextFixer.Fix(input));

    [Fact]
    public void Leaves_entities_alone_from_the_first_line_that_looks_like_html()
    {
        Assert.Equal("a & b\n<i>&amp;</i>\n&amp;", ClipTextFixer.Fix("a &amp; b\n<i>&amp;</i>\n&amp;"));
    }

    [Theory]
    [InlineData("cafÃ©", "café")]
    [InlineData("donâ€™t", "don't")]                 // ’ repaired, then straightened
    [InlineData("â€œquotedâ€\u009d", "\"quoted\"")]  // “ ” with the C1 control ftfy's sloppy decoding keeps
    [InlineData("ÃƒÂ©", "é")]                        // mojibake of mojibake
    [InlineData("ðŸ˜€ smile", "😀 smile")]
    [InlineData("ÐŸÑ€Ð¸Ð²ÐµÑ‚", "Привет")]
    [InlineData("naïve cafÃ© “latte”", "naïve café \"latte\"")]
    public void Repairs_unambiguous_utf8_mojibake(string input, string expected) =>
        Assert.Equal(expected, ClipTextFixer.Fix(input));

    [Theory]
    [InlineData("café crème brûlée à la française")]
    [InlineData("não…” São Paulo, ÆRØSKØBING, Zürich")]
    [InlineData("ÉCOLE”, Å…")]
    public void Leaves_ordinary_accented_text_unchanged(string text) =>
        Assert.Equal(text.Replace('”', '"'), ClipTextFixer.Fix(text));

    [Theory]
    [InlineData("ﬁne ﬂower ﬃ ĳ ǆ ﬅ æ œ", "fine flower ffi ij dž ſt æ œ")]
    [InlineData("ＬＯＵＤ　ＮＯＩＳＥＳ ｶﾞ", "LOUD NOISES ガ")]
    [InlineData("‘single’ “double” ‚low„ ʼn", "'single' \"double\" 'low\" 'n")]
    [InlineData("ŉ", "'n")]
    [InlineData("a\u0093b\u0085", "a\"b…")]
    [InlineData("e\u0301 A\u030A", "é Å")]
    [InlineData("\u001b[36;44mblue\u001b[0m", "blue")]
    [InlineData("a\u0000b\u0007c\u007Fd\uFEFFe\u206Af\uFFFCg\th\u000Ci", "abcdefg\th\u000Ci")]
    [InlineData("zero\u200Bwidth soft\u00ADhyphen \u00A0nbsp", "zero\u200Bwidth soft\u00ADhyphen \u00A0nbsp")]
    public void Applies_ftfys_character_fixes(string input, string expected) =>
        Assert.Equal(expected, ClipTextFixer.Fix(input));

    [Fact]
    public void Replaces_lone_surrogates() => Assert.Equal("x\uFFFDy\uFFFD", ClipTextFixer.Fix("x\uD800y\uDC00"));

    [Theory]
    [InlineData("  Tabs\tand\u2003em\u3000spaces here \n", "tabs and em spaces here")]
    [InlineData("İstanbul", "i\u0307stanbul")]
    [InlineData("ΟΔΥΣΣΕΥΣ ΣΑ Σ. ΑΣ'Σ", "οδυσσευς σα σ. ασ'ς")]
    [InlineData("𐐀 DESERET", "𐐨 deseret")]
    public void Collapses_whitespace_and_lower_cases_like_python(string input, string expected) =>
        Assert.Equal(expected, ClipTextNormalizer.Instance.Normalize(input));

    [Theory]
    [InlineData("don't stop", "don|'t|stop")]
    [InlineData("'single' rock'n'roll", "'s|ingle|'|rock|'|n|'|roll")]
    [InlineData("3.14 1e10 ²", "3|.|1|4|1|e|1|0|²")]
    [InlineData("hello-world!!! a.b", "hello|-|world|!!!|a|.|b")]
    [InlineData("x<|endoftext|>y !<|endoftext|>", "x|<|endoftext|>|y|!<||endoftext||>")]
    [InlineData("𝐀𝐁 𝟏𝟐 😀😀", "𝐀𝐁|𝟏|𝟐|😀😀")]
    public void Pre_tokenizes_with_clips_pattern(string normalized, string expected)
    {
        var pieces = ClipPreTokenizer.Instance.PreTokenize(normalized).Select(p => normalized.Substring(p.Offset, p.Length));
        Assert.Equal(expected, string.Join("|", pieces));
    }
}
