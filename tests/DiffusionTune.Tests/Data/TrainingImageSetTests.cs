using DiffusionTune.IO.Images;
using DiffusionTune.Tests.Images;
using DiffusionTune.Training.Data;

namespace DiffusionTune.Tests.Data;

public class TrainingImageSetTests
{
    static readonly ImageFolderOptions Captions = new();

    [Fact]
    public void Captions_come_from_same_named_text_files_in_every_format()
    {
        using var folder = new DataFolder();
        folder.Image("a.png", seed: 1);
        folder.Text("a.txt", "a red star\non a  blue\r\nbackground\n");
        folder.Image("b.jpg", 80, 64, seed: 2);
        folder.Text("b.txt", "a green circle");
        folder.Image("c.webp", seed: 3);
        folder.Text("c.txt", "a square");
        folder.Image("d.BMP", seed: 4);
        folder.Text("d.TXT", "a ring");
        folder.Text("notes.md", "not a caption, not an image: ignored");

        var set = TrainingImageSet.Load(folder.Path, Captions);

        Assert.Equal(["a red star on a blue background", "a green circle", "a square", "a ring"], set.Images.Select(i => i.Caption));
        Assert.Equal((80, 64), (set.Images[1].Width, set.Images[1].Height));
        Assert.Empty(set.Warnings);
        Assert.All(set.Images, i => Assert.Equal(64, i.ContentHash.Length));
        Assert.Equal(4, set.Images.Select(i => i.ContentHash).Distinct().Count());
    }

    [Fact]
    public void A_template_is_every_images_prompt_and_filewords_inserts_each_caption()
    {
        using var folder = new DataFolder();
        folder.Image("one.png", seed: 1);
        folder.Text("one.txt", "on a striped background");
        folder.Image("two.png", seed: 2);
        folder.Text("two.txt", "in the snow");

        var template = TrainingImageSet.Load(folder.Path, new ImageFolderOptions { CaptionTemplate = "a photo of sks star" });
        var filewords = TrainingImageSet.Load(folder.Path, new ImageFolderOptions { CaptionTemplate = "a photo of sks star, [filewords]" });

        Assert.Equal(["a photo of sks star", "a photo of sks star"], template.Images.Select(i => i.Caption));
        Assert.Equal(["a photo of sks star, on a striped background", "a photo of sks star, in the snow"], filewords.Images.Select(i => i.Caption));
    }

    [Fact]
    public void Filewords_need_a_caption_file_and_the_error_names_the_image()
    {
        using var folder = new DataFolder();
        var image = folder.Image("lonely.png");

        var error = Assert.Throws<ArgumentException>(() =>
            TrainingImageSet.Load(folder.Path, new ImageFolderOptions { CaptionTemplate = "a photo of sks star, [filewords]" }));

        Assert.Contains(image, error.Message);
        Assert.Contains("lonely.txt", error.Message);
    }

    [Fact]
    public void Repeats_count_each_image_that_many_times_per_epoch()
    {
        using var folder = new DataFolder();
        folder.Image("a.png", seed: 1);
        folder.Image("b.png", seed: 2);

        var set = TrainingImageSet.Load(folder.Path, new ImageFolderOptions { CaptionTemplate = "sks", Repeats = 3 });

        Assert.All(set.Images, i => Assert.Equal(3, i.Repeats));
        Assert.Equal(6, set.RepeatedCount);
    }

    [Fact]
    public void Kohya_subfolders_set_their_repeats_and_their_words_are_the_fallback_caption()
    {
        using var folder = new DataFolder();
        folder.Image("root.png", seed: 1);
        folder.Text("root.txt", "a root image");
        folder.Image("20_sks star/plain.png", seed: 2);
        folder.Image("20_sks star/captioned.png", seed: 3);
        folder.Text("20_sks star/captioned.txt", "sks star on grass");
        folder.Image("misc/ignored.png", seed: 4);

        var set = TrainingImageSet.Load(folder.Path, new ImageFolderOptions { Repeats = 2 });

        Assert.Equal(["a root image", "sks star on grass", "sks star"], set.Images.Select(i => i.Caption));
        Assert.Equal([2, 20, 20], set.Images.Select(i => i.Repeats));
        Assert.Equal(42, set.RepeatedCount);
        var warning = Assert.Single(set.Warnings);
        Assert.Contains("misc", warning);
    }

    public static TheoryData<string> BadImageKinds => ["corrupt", "empty", "too small", "not an image"];

    [Theory]
    [MemberData(nameof(BadImageKinds))]
    public void A_bad_image_is_refused_naming_the_file(string kind)
    {
        using var folder = new DataFolder();
        folder.Image("good.png");
        var bad = WriteBadImage(folder, kind);

        var error = Assert.Throws<ImageFileException>(() =>
            TrainingImageSet.Load(folder.Path, new ImageFolderOptions { CaptionTemplate = "sks", OnBadImage = BadImageHandling.Refuse }));

        Assert.Equal(bad, error.FilePath);
        Assert.StartsWith(bad, error.Message);
    }

    [Theory]
    [MemberData(nameof(BadImageKinds))]
    public void A_bad_image_is_skipped_with_a_warning_naming_the_file(string kind)
    {
        using var folder = new DataFolder();
        var good = folder.Image("good.png");
        var bad = WriteBadImage(folder, kind);

        var set = TrainingImageSet.Load(folder.Path, new ImageFolderOptions { CaptionTemplate = "sks", OnBadImage = BadImageHandling.Skip });

        Assert.Equal([good], set.Images.Select(i => i.Path));
        var warning = Assert.Single(set.Warnings);
        Assert.Contains(bad, warning);
        Assert.Contains("skipped", warning);
    }

    [Fact]
    public void Too_small_means_below_the_minimum_side_and_says_the_size()
    {
        using var folder = new DataFolder();
        var small = folder.Image("small.png", 100, 40);

        var error = Assert.Throws<ImageFileException>(() =>
            TrainingImageSet.Load(folder.Path, new ImageFolderOptions { CaptionTemplate = "sks", MinimumSide = 48 }));
        var accepted = TrainingImageSet.Load(folder.Path, new ImageFolderOptions { CaptionTemplate = "sks", MinimumSide = 40 });

        Assert.Contains("100x40", error.Message);
        Assert.Contains("48", error.Message);
        Assert.Equal(small, Assert.Single(accepted.Images).Path);
    }

    [Fact]
    public void A_caption_without_an_image_is_refused_or_skipped_by_option()
    {
        using var folder = new DataFolder();
        folder.Image("star.png");
        folder.Text("star.txt", "a star");
        var orphan = folder.Text("stra.txt", "a typo'd star");

        var error = Assert.Throws<ArgumentException>(() => TrainingImageSet.Load(folder.Path, Captions));
        var skipped = TrainingImageSet.Load(folder.Path, Captions with { OnBadImage = BadImageHandling.Skip });

        Assert.Contains(orphan, error.Message);
        Assert.Contains("without an image", error.Message);
        Assert.Single(skipped.Images);
        Assert.Contains(orphan, Assert.Single(skipped.Warnings));
    }

    [Fact]
    public void An_image_without_caption_or_template_is_refused_naming_it()
    {
        using var folder = new DataFolder();
        folder.Image("captioned.png", seed: 1);
        folder.Text("captioned.txt", "a star");
        var uncaptioned = folder.Image("uncaptioned.png", seed: 2);
        folder.Text("empty-caption.txt", "  \n");
        var emptyCaption = folder.Image("empty-caption.png", seed: 3);

        var error = Assert.Throws<ArgumentException>(() => TrainingImageSet.Load(folder.Path, Captions));
        var skipped = TrainingImageSet.Load(folder.Path, Captions with { OnBadImage = BadImageHandling.Skip });

        Assert.Contains(emptyCaption, error.Message);
        Assert.Contains("no caption template", error.Message);
        Assert.Equal(["a star"], skipped.Images.Select(i => i.Caption));
        Assert.Equal(2, skipped.Warnings.Count);
        Assert.Contains(uncaptioned, skipped.Warnings[1]);
    }

    [Fact]
    public void An_empty_or_missing_folder_or_a_file_is_refused()
    {
        using var folder = new DataFolder();
        var file = folder.Text("readme.md", "no images here");
        var missing = Path.Combine(folder.Path, "missing");

        var empty = Assert.Throws<ArgumentException>(() => TrainingImageSet.Load(folder.Path, Captions));
        var notFound = Assert.Throws<ArgumentException>(() => TrainingImageSet.Load(missing, Captions));
        var notAFolder = Assert.Throws<ArgumentException>(() => TrainingImageSet.Load(file, Captions));

        Assert.Contains(folder.Path, empty.Message);
        Assert.Contains("no training images", empty.Message);
        Assert.Equal($"{missing}: image folder not found", notFound.Message);
        Assert.Equal($"{file}: is a file, not an image folder", notAFolder.Message);
    }

    [Fact]
    public void A_folder_whose_every_image_is_skipped_is_refused_listing_them()
    {
        using var folder = new DataFolder();
        var corrupt = folder.Bytes("corrupt.png", [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3]);

        var error = Assert.Throws<ArgumentException>(() =>
            TrainingImageSet.Load(folder.Path, new ImageFolderOptions { CaptionTemplate = "sks", OnBadImage = BadImageHandling.Skip }));

        Assert.Contains("none of the 1 images", error.Message);
        Assert.Contains(corrupt, error.Message);
    }

    static string WriteBadImage(DataFolder folder, string kind) => kind switch
    {
        "corrupt" => folder.Bytes("bad.png", TruncatedPng()),
        "empty" => folder.Bytes("bad.jpg", []),
        "too small" => folder.Image("bad.webp", 32, 32),
        _ => folder.Text("bad.bmp", "this is text, not a bitmap"),
    };

    /// <summary>A PNG cut off inside its pixel data.</summary>
    static byte[] TruncatedPng()
    {
        using var bitmap = TestImages.Noise(64, 64, seed: 9);
        var png = TestImages.Encode(bitmap, SkiaSharp.SKEncodedImageFormat.Png);
        return png[..(png.Length / 2)];
    }
}
