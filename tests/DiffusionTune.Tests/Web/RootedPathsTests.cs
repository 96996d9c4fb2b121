using DiffusionTune.Web.Safety;

namespace DiffusionTune.Tests.Web;

/// <summary>The path check every file request goes through, on the shapes of path an attacker would try.</summary>
public sealed class RootedPathsTests : IDisposable
{
    readonly ScratchFolder _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Theory]
    [InlineData("..")]
    [InlineData("../secret")]
    [InlineData("..\\secret")]
    [InlineData("a/../../secret")]
    [InlineData("a/./b")]
    [InlineData("/etc/passwd")]
    [InlineData("\\\\server\\share")]
    [InlineData("C:\\Windows")]
    [InlineData("c:secret")]
    [InlineData("a\0b")]
    [InlineData("a\nb")]
    public void Refuses(string relative)
    {
        var root = Directory.CreateDirectory(_scratch.File("root")).FullName;
        var paths = new RootedPaths([root]);
        Assert.Throws<PathOutsideRootException>(() => paths.Resolve("root", relative));
    }

    [Fact]
    public void Resolves_plain_paths_and_links_that_stay_inside()
    {
        var root = Directory.CreateDirectory(_scratch.File("root")).FullName;
        Directory.CreateDirectory(Path.Combine(root, "a", "b"));
        Directory.CreateSymbolicLink(Path.Combine(root, "alias"), Path.Combine(root, "a"));
        var paths = new RootedPaths([root]);
        Assert.Equal(Path.Combine(root, "a", "b"), paths.Resolve("root", "a/b"));
        Assert.Equal(Path.Combine(root, "a", "b"), paths.Resolve("root", "alias/b"));
        Assert.Equal(Path.Combine(root, "a", "new.png"), paths.Resolve("root", "a//new.png"));
        Assert.Equal(root, paths.Resolve("root", ""));
    }

    [Fact]
    public void Refuses_links_out_of_the_root_broken_links_and_loops()
    {
        var root = Directory.CreateDirectory(_scratch.File("root")).FullName;
        var outside = Directory.CreateDirectory(_scratch.File("outside")).FullName;
        Directory.CreateSymbolicLink(Path.Combine(root, "out"), outside);
        // A link to a link that leads out: the final target counts.
        Directory.CreateSymbolicLink(Path.Combine(root, "hop"), Path.Combine(root, "out"));
        File.CreateSymbolicLink(Path.Combine(root, "broken-out"), Path.Combine(outside, "nothing-here"));
        File.CreateSymbolicLink(Path.Combine(root, "broken-in"), Path.Combine(root, "nothing-here"));
        File.CreateSymbolicLink(Path.Combine(root, "loop1"), Path.Combine(root, "loop2"));
        File.CreateSymbolicLink(Path.Combine(root, "loop2"), Path.Combine(root, "loop1"));
        var paths = new RootedPaths([root]);
        foreach (var relative in new[] { "out", "out/file.png", "hop/file.png", "broken-out", "loop1" })
            Assert.Throws<PathOutsideRootException>(() => paths.Resolve("root", relative));
        // A dangling link that points inside is harmless: it resolves to a file that does not exist.
        Assert.Equal(Path.Combine(root, "nothing-here"), paths.Resolve("root", "broken-in"));
    }

    [Fact]
    public void Roots_are_named_by_their_folders_uniquely()
    {
        var a = Directory.CreateDirectory(_scratch.File(Path.Combine("one", "models"))).FullName;
        var b = Directory.CreateDirectory(_scratch.File(Path.Combine("two", "models"))).FullName;
        var paths = new RootedPaths([a, b, a]);
        Assert.Equal(["models", "models-2"], paths.Roots.Select(r => r.Name));
        Assert.Throws<PathOutsideRootException>(() => paths.Root("models-3"));
    }
}
