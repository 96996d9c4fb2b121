using DiffusionTune.Cli.Commands.Generate;

namespace DiffusionTune.Tests.Cli;

public class SeedPlanTests
{
    [Fact]
    public void Lines_continue_the_seeds_of_the_lines_before_them()
    {
        var jobs = new[] { new PromptJob("a"), new PromptJob("b", BatchSize: 3), new PromptJob("c", Seed: 500), new PromptJob("d") };

        var batches = SeedPlan.From(10, null, null, batchCount: 2).Batches(jobs, batchSize: 2, batchCount: 2);

        Assert.Equal(new (long, int)[] { (10, 2), (12, 2) }, batches[0]);
        Assert.Equal(new (long, int)[] { (14, 3), (17, 3) }, batches[1]);
        Assert.Equal(new (long, int)[] { (500, 2), (502, 2) }, batches[2]);
        // The line with its own seed still takes its place: d starts after c's four images.
        Assert.Equal(new (long, int)[] { (24, 2), (26, 2) }, batches[3]);
    }

    [Fact]
    public void One_prompt_keeps_plain_seed_semantics()
    {
        var batches = SeedPlan.From(42, null, null, batchCount: 3).Batches([new PromptJob("a")], batchSize: 2, batchCount: 3);
        Assert.Equal(new (long, int)[] { (42, 2), (44, 2), (46, 2) }, Assert.Single(batches));
    }

    [Fact]
    public void Listed_seeds_give_every_line_the_same_images_batched_in_runs()
    {
        var plan = SeedPlan.From(null, "1, 2,3,5,6,9", null, batchCount: 1);
        var batches = plan.Batches([new PromptJob("a"), new PromptJob("b")], batchSize: 2, batchCount: 1);

        Assert.Equal(new (long, int)[] { (1, 2), (3, 1), (5, 2), (9, 1) }, batches[0]);
        Assert.Equal(batches[0], batches[1]);
        Assert.Equal(new long[] { 4, 5, 6, 7, 8 }, SeedPlan.From(null, null, "4-8", batchCount: 1).Listed);
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
