using DiffusionTune.Models.Clip;

namespace DiffusionTune.Tests.Tokenization;

public class PromptWeightParserTests
{
    static void AssertSegments(string prompt, params (string Text, double Weight)[] expected) =>
        AssertSegments(PromptWeightParser.Parse(prompt), expected);

    static void AssertSegments(IReadOnlyList<PromptSegment> segments, params (string Text, double Weight)[] expected)
    {
        Assert.Equal(expected.Select(e => e.Text), segments.Select(s => s.IsBreak ? "BREAK" : s.Text));
        for (int i = 0; i < expected.Length; i++)
        {
            if (!segments[i].IsBreak)
                Assert.Equal(expected[i].Weight, segments[i].Weight, precision: 12);
        }
    }

    [Fact]
    public void Plain_text_is_one_segment_with_weight_one() => AssertSegments("normal text, nothing special", ("normal text, nothing special", 1.0));

    [Fact]
    public void Empty_prompt_is_one_empty_segment() => AssertSegments("", ("", 1.0));

    [Fact]
    public void Round_brackets_multiply_by_1_1_per_level() =>
        AssertSegments("an (important) ((very)) word", ("an ", 1.0), ("important", 1.1), (" ", 1.0), ("very", 1.21), (" word", 1.0));

    [Fact]
    public void Square_brackets_divide_by_1_1() => AssertSegments("a [faint] [[fainter]]", ("a ", 1.0), ("faint", 1 / 1.1), (" ", 1.0), ("fainter", 1 / 1.21));

    [Theory]
    [InlineData("(word:1.5)", 1.5)]
    [InlineData("(word: 0.25 )", 0.25)]
    [InlineData("(word:.5)", 0.5)]
    [InlineData("(word:+2.)", 2.0)]
    [InlineData("(word:-1)", -1.0)]
    [InlineData("((word:1.5))", 1.65)]
    [InlineData("[(word:1.5)]", 1.5 / 1.1)]
    public void Explicit_weights_multiply(string prompt, double weight) => AssertSegments(prompt, ("word", weight));

    [Fact]
    public void Nesting_matches_the_a1111_reference_example() =>
        AssertSegments("a (((house:1.3)) [on] a (hill:0.5), sun, (((sky))).",
            ("a ", 1.0), ("house", 1.573), (" ", 1.1), ("on", 1.0), (" a ", 1.1), ("hill", 0.55),
            (", sun, ", 1.1), ("sky", 1.4641), (".", 1.1));

    [Fact]
    public void Equal_neighbours_merge() => AssertSegments("(unnecessary)(parens)", ("unnecessaryparens", 1.1));

    [Fact]
    public void Escaped_brackets_and_backslashes_are_literal() =>
        AssertSegments(@"\(literal\] \\(x)", ("(literal] \\", 1.0), ("x", 1.1));

    [Fact]
    public void Other_backslashes_stay_in_the_text() => AssertSegments(@"C:\path\file \n", (@"C:\path\file \n", 1.0));

    [Theory]
    [InlineData("(unbalanced", "unbalanced", 1.1)]
    [InlineData("[unbalanced", "unbalanced", 1 / 1.1)]
    [InlineData("((twice", "twice", 1.21)]
    public void Unclosed_brackets_apply_to_the_rest(string prompt, string text, double weight) => AssertSegments(prompt, (text, weight));

    [Fact]
    public void Unopened_closing_brackets_and_stray_colons_are_text() =>
        AssertSegments("a) b] c: d:1.5) (e]:f)", ("a) b] c: d:1.5) ", 1.0), ("e]:f", 1.1));

    [Fact]
    public void A_weight_that_is_not_a_number_is_text() => AssertSegments("(a:1.2.3)", ("a:1.2.3", 1.1));

    [Fact]
    public void Prompt_editing_syntax_is_weighted_as_bracketed_text() => AssertSegments("[green:yellow:0.5]", ("green:yellow:0.5", 1 / 1.1));

    [Fact]
    public void Break_is_a_word_unless_asked_for() => AssertSegments("a BREAK b", ("a BREAK b", 1.0));

    [Fact]
    public void Break_splits_when_asked_for_and_eats_surrounding_whitespace()
    {
        var segments = PromptWeightParser.Parse("a BREAK (b BREAK c) BREAKS xBREAK", splitOnBreak: true);
        AssertSegments(segments, ("a", 1.0), ("BREAK", 0), ("b", 1.1), ("BREAK", 0), ("c", 1.1), (" BREAKS xBREAK", 1.0));
        Assert.Same(PromptSegment.Break, segments[1]);
        Assert.False(segments[0].IsBreak);
    }
}
