using System.Net;
using DiffusionTune.Web;
using DiffusionTune.Web.Safety;

namespace DiffusionTune.Tests.Web;

/// <summary>Issue 15's safety cases: nothing outside the roots, no cross-site changes, a token off loopback, checked uploads.</summary>
public sealed class UiSafetyTests : UiServerTest
{
    [Theory]
    [InlineData("/api/browse?root=files&path=..")]
    [InlineData("/api/browse?root=files&path=cats/../..")]
    [InlineData("/api/browse?root=files&path=%2e%2e%2fsecret")]
    [InlineData("/api/browse?root=files&path=..%5csecret")]
    [InlineData("/files/image?root=files&path=../secret/private.png")]
    [InlineData("/files/image?root=files&path=cats%2f..%2f..%2fsecret%2fprivate.png")]
    [InlineData("/files/thumbnail?root=files&path=../secret/private.png")]
    [InlineData("/browse?root=files&path=../secret")]
    public async Task Traversal_out_of_a_root_is_refused(string url)
    {
        using var response = await Server.Client.GetAsync(url);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.DoesNotContain("password", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Double_encoded_traversal_is_a_literal_name_that_does_not_exist()
    {
        using var response = await Server.Client.GetAsync("/api/browse?root=files&path=%252e%252e%252fsecret");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Absolute_paths_and_unknown_roots_are_refused()
    {
        foreach (var url in new[]
        {
            $"/api/browse?root=files&path={Uri.EscapeDataString(Server.Secret)}",
            $"/files/image?root=files&path={Uri.EscapeDataString(Path.Combine(Server.Secret, "private.png"))}",
            "/api/browse?root=files&path=C:%5cWindows",
            "/api/browse?root=secret",
            "/api/browse?root=..&path=secret",
        })
        {
            using var response = await Server.Client.GetAsync(url);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{url}: {response.StatusCode}");
        }
    }

    [Fact]
    public async Task A_symlink_leading_out_of_a_root_is_neither_followed_nor_listed()
    {
        Directory.CreateSymbolicLink(Path.Combine(Server.Root, "escape"), Server.Secret);
        File.CreateSymbolicLink(Path.Combine(Server.Root, "cats", "stolen.png"), Path.Combine(Server.Secret, "private.png"));
        // A link that stays inside the root is fine.
        Directory.CreateSymbolicLink(Path.Combine(Server.Root, "kittens"), Path.Combine(Server.Root, "cats"));

        foreach (var url in new[] { "/api/browse?root=files&path=escape", "/files/image?root=files&path=escape/private.png", "/files/image?root=files&path=cats/stolen.png" })
        {
            using var refused = await Server.Client.GetAsync(url);
            Assert.True(refused.StatusCode == HttpStatusCode.Forbidden, $"{url}: {refused.StatusCode}");
        }
        var root = await Server.Client.GetStringAsync("/api/browse?root=files");
        Assert.DoesNotContain("escape", root);
        Assert.Contains("kittens", root);
        var cats = await Server.Client.GetStringAsync("/api/browse?root=files&path=cats");
        Assert.DoesNotContain("stolen", cats);
        using var inside = await Server.Client.GetAsync("/files/image?root=files&path=kittens/tom.png");
        Assert.Equal(HttpStatusCode.OK, inside.StatusCode);
    }

    [Fact]
    public async Task Only_images_are_served_from_a_root()
    {
        using var text = await Server.Client.GetAsync("/files/image?root=files&path=notes.txt");
        Assert.Equal(HttpStatusCode.BadRequest, text.StatusCode);
        using var image = await Server.Client.GetAsync("/files/image?root=files&path=cats/tom.png");
        Assert.Equal(HttpStatusCode.OK, image.StatusCode);
        Assert.Equal("image/png", image.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Cross_site_and_tokenless_state_changes_are_refused()
    {
        async Task<HttpStatusCode> Post(Action<HttpRequestMessage> adjust)
        {
            using var request = Server.SameOrigin(HttpMethod.Post, "/datasets", new FormUrlEncodedContent([new("name", "cats")]));
            adjust(request);
            using var response = await Server.Client.SendAsync(request);
            return response.StatusCode;
        }
        Assert.Equal(HttpStatusCode.Forbidden, await Post(r => { r.Headers.Remove("Sec-Fetch-Site"); r.Headers.Add("Sec-Fetch-Site", "cross-site"); }));
        Assert.Equal(HttpStatusCode.Forbidden, await Post(r => { r.Headers.Remove("Origin"); r.Headers.Add("Origin", "https://evil.example"); }));
        Assert.Equal(HttpStatusCode.Forbidden, await Post(r => r.Headers.Remove(CrossSiteGuard.HeaderName)));
        Assert.Equal(HttpStatusCode.Forbidden, await Post(r => { r.Headers.Remove(CrossSiteGuard.HeaderName); r.Headers.Add(CrossSiteGuard.HeaderName, "guess"); }));
        Assert.False(Directory.Exists(Path.Combine(Server.State, "datasets", "cats")));
        Assert.Equal(HttpStatusCode.Created, await Post(_ => { }));
        Assert.True(Directory.Exists(Path.Combine(Server.State, "datasets", "cats")));
    }

    [Fact]
    public async Task A_loopback_server_answers_only_to_loopback_host_names()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/queue");
        request.Headers.Host = "attacker.example";
        using var response = await Server.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public void Listening_beyond_loopback_without_a_token_is_refused()
    {
        var options = new UiOptions { ListenAddress = IPAddress.Any, Roots = [Server.Root], StateFolder = Server.State };
        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains("access token", error.Message);
        Assert.Throws<ArgumentException>(() => (options with { AccessToken = "short" }).Validate());
        (options with { AccessToken = AccessToken.Generate() }).Validate();
    }

    [Fact]
    public async Task Off_loopback_every_request_needs_the_token()
    {
        await using var scratch = new AsyncScratch();
        var token = AccessToken.Generate();
        await using var server = UiTestServer.Start(scratch.Folder.Path, adjust: o => o with { ListenAddress = IPAddress.Any, AccessToken = token });
        using var without = await server.Client.GetAsync("/queue");
        Assert.Equal(HttpStatusCode.Unauthorized, without.StatusCode);
        using var wrong = await server.Client.GetAsync("/queue?token=" + new string('x', token.Length));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);

        using var withHeader = new HttpRequestMessage(HttpMethod.Get, "/api/jobs");
        withHeader.Headers.Add(AccessToken.HeaderName, token);
        using var accepted = await server.Client.SendAsync(withHeader);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);

        // The printed address sets a cookie and redirects to the same page without the token.
        using var link = await server.Client.GetAsync("/queue?token=" + Uri.EscapeDataString(token));
        Assert.Equal(HttpStatusCode.Redirect, link.StatusCode);
        Assert.Equal("/queue", link.Headers.Location?.OriginalString);
        var cookie = Assert.Single(link.Headers.GetValues("Set-Cookie"));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        using var withCookie = new HttpRequestMessage(HttpMethod.Get, "/queue");
        withCookie.Headers.Add("Cookie", cookie.Split(';')[0]);
        using var page = await server.Client.SendAsync(withCookie);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }

    [Fact]
    public async Task Uploads_must_be_images_within_the_limits_and_are_kept_as_png_under_generated_names()
    {
        using (await Server.PostAsync("/datasets", new FormUrlEncodedContent([new("name", "pets")]))) { }
        var folder = Path.Combine(Server.State, "datasets", "pets");

        async Task<(HttpStatusCode, string)> Upload(params (string, byte[])[] files)
        {
            using var response = await Server.PostAsync("/datasets/pets/images", UiTestServer.Upload(files));
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        var png = UiTestServer.PngBytes(32, 24);
        var (notImage, notImageText) = await Upload(("good.png", png), ("script.png", "<script>alert(1)</script>"u8.ToArray()));
        Assert.Equal(HttpStatusCode.BadRequest, notImage);
        Assert.Contains("script.png", notImageText);
        Assert.Empty(Directory.GetFiles(folder)); // all or nothing

        var (tooBig, tooBigText) = await Upload(("big.png", new byte[70 * 1024]));
        Assert.Equal(HttpStatusCode.BadRequest, tooBig);
        Assert.Contains("big.png", tooBigText);
        var (huge, _) = await Upload(("huge.png", new byte[1024 * 1024])); // cut off by the server while it arrives
        Assert.Equal(HttpStatusCode.BadRequest, huge);
        var (tooMany, tooManyText) = await Upload(("1.png", png), ("2.png", png), ("3.png", png), ("4.png", png));
        Assert.Equal(HttpStatusCode.BadRequest, tooMany);
        Assert.Contains("at most 3", tooManyText);
        Assert.Empty(Directory.GetFiles(folder));

        var (ok, _) = await Upload(("../../evil name.png", png), ("photo.jpg", png));
        Assert.Equal(HttpStatusCode.Created, ok);
        var kept = Directory.GetFiles(folder).Select(Path.GetFileName).Order().ToList();
        Assert.Equal(2, kept.Count);
        Assert.All(kept, name => Assert.Matches("^[A-Za-z0-9_-]+-[0-9a-f]{8}\\.png$", name));
        Assert.Contains(kept, name => name!.StartsWith("evil_name-"));
        Assert.Empty(Directory.GetFiles(Server.State, "*.png", SearchOption.TopDirectoryOnly));
        using var decoded = DiffusionTune.IO.Images.ImageLoader.LoadRgba(Path.Combine(folder, kept[0]!));
        Assert.Equal((32, 24), (decoded.Width, decoded.Height));
    }

    /// <summary>A scratch folder for a second server in one test.</summary>
    sealed class AsyncScratch : IAsyncDisposable
    {
        public ScratchFolder Folder { get; } = new();

        public ValueTask DisposeAsync()
        {
            Folder.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
