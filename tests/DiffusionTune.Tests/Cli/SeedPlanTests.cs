using DiffusionTune.Workflows.Generation;

namespace DiffusionTune.Tests.Cli;

public class SeedPlanTests
{
    [Fact]
    public void Lines_continue_the_seeds_of_the_lines_before_them()
    {
        var jobs = new[] { new PromptJob("a"), new PromptJob("b", BatchSize: 3), new PromptJob("c", Seed: 500), new PromptJob("d") };

        var seeds = SeedPlan.From(10, null, null, batchCount: 2).Seeds(jobs, batchSize: 2, batchCount: 2);

        Assert.Equal(new long[] { 10, 11, 12, 13 }, seeds[0]);
        Assert.Equal(new long[] { 14, 15, 16, 17, 18, 19 }, seeds[1]);
        Assert.Equal(new long[] { 500, 501, 502, 503 }, seeds[2]);
        // The line with its own seed still takes its place: d starts after c's four images.
        Assert.Equal(new long[] { 24, 25, 26, 27 }, seeds[3]);
    }

    [Fact]
    public void One_prompt_keeps_plain_seed_semantics()
    {
        var seeds = SeedPlan.From(42, null, null, batchCount: 3).Seeds([new PromptJob("a")], batchSize: 2, batchCount: 3);
        Assert.Equal(new long[] { 42, 43, 44, 45, 46, 47 }, Assert.Single(seeds));
    }

    [Fact]
    public void Listed_seeds_give_every_line_the_same_images()
    {
        var plan = SeedPlan.From(null, "9, 2,3", null, batchCount: 1);
        var seeds = plan.Seeds([new PromptJob("a"), new PromptJob("b"), new PromptJob("c", Seed: 100)], batchSize: 2, batchCount: 1);

        Assert.Equal(new long[] { 9, 2, 3 }, seeds[0]);
        Assert.Equal(seeds[0], seeds[1]);
        Assert.Equal(new long[] { 100, 101 }, seeds[2]);
        Assert.Equal(new long[] { 4, 5, 6, 7, 8 }, Assert.Single(SeedPlan.From(null, null, "4-8", batchCount: 1).Seeds([new PromptJob("a")], batchSize: 2, batchCount: 1)));
        Assert.Equal(new long[] { 7 }, SeedPlan.ParseRange("7-7"));
    }

    [Theory]
    [InlineData(1L, "1,2", null, 1, "one of --seed, --seeds and --seed-range")]
    [InlineData(null, "1,2", "1-2", 1, "one of --seed, --seeds and --seed-range")]
    [InlineData(null, "1,x", null, 1, "'x' is not a seed")]
    [InlineData(null, "1,-2", null, 1, "'-2' is not a seed")]
    [InlineData(null, "4,5,4", null, 1, "seed 4 is listed twice")]
    [InlineData(null, "1,,2", null, 1, "'' is not a seed")]
    [InlineData(null, null, "8-1", 1, "the last seed is below the first")]
    [InlineData(null, null, "1-", 1, "write FIRST-LAST")]
    [InlineData(null, null, "1-2-3", 1, "write FIRST-LAST")]
    [InlineData(null, null, "0-100000", 1, "more than 100000 seeds")]
    [InlineData(null, "1,2", null, 2, "--batch-count does not go with --seeds")]
    public void Bad_seed_options_are_one_line_errors(long? seed, string? seeds, string? range, int batchCount, string problem)
    {
        var error = Assert.Throws<ArgumentException>(() => SeedPlan.From(seed, seeds, range, batchCount));
        Assert.Contains(problem, error.Message);
    }
}
