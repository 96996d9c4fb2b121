using DiffusionTune.IO.Images;

namespace DiffusionTune.Training.Data;

/// <summary>
/// Decides every batch of a run as a pure function of (seed, optimizer step, micro-batch), so a run resumed at step
/// k gets exactly the batches a straight run gets there, without saving any sampler state.
/// <para>
/// An epoch is one pass over the instance images, each counted as often as its repeats. In epoch e the repeated
/// items of each bucket (one bucket, resolution², without bucketing) are shuffled with a generator keyed by (seed, e,
/// bucket) and cut into batches of <see cref="BatchSettings.BatchSize"/> (a bucket's last batch may be smaller); the
/// epoch's batches are then shuffled as a whole. Flips, random crops and caption dropout are drawn per (epoch, item).
/// </para>
/// <para>
/// With class images (prior preservation) every batch carries, after its B instance items, B class items, as
/// diffusers' DreamBooth does; they take the batch's size (so class images are cropped to the bucket's shape) and
/// the prior loss weight. Class items are taken in order from an endless sequence of class epochs, each a shuffle of
/// the repeated class images keyed by (seed, class epoch), so every class image is used before any is reused.
/// </para>
/// </summary>
public sealed class BatchPlanner
{
    readonly TrainingImageSet _instances;
    readonly TrainingImageSet? _classes;
    readonly ImagePreprocessing _preprocessing;
    readonly BatchSettings _settings;
    readonly ImageSize[] _instanceSizes;
    readonly int[] _instanceSlotImage;
    readonly int[][] _slotsByBucket;
    readonly int[] _classSlotImage;
    EpochLayout? _lastLayout;

    /// <summary>
    /// Plans batches of <paramref name="instances"/>, mixed with <paramref name="classImages"/> when given. Throws
    /// <see cref="ArgumentException"/> for invalid settings.
    /// </summary>
    public BatchPlanner(TrainingImageSet instances, TrainingImageSet? classImages, ImagePreprocessing preprocessing, BatchSettings settings)
    {
        settings.Validate();
        _instances = instances;
        _classes = classImages;
        _preprocessing = preprocessing;
        _settings = settings;

        var buckets = preprocessing.UseBuckets ? AspectRatioBuckets.Create(preprocessing) : null;
        var square = new ImageSize(preprocessing.Resolution, preprocessing.Resolution);
        _instanceSizes = instances.Images.Select(i => buckets?.Closest(i.Size) ?? square).ToArray();
        _instanceSlotImage = Slots(instances);
        // Buckets in a fixed order (by size), so the keyed shuffles of a bucket do not depend on enumeration order.
        _slotsByBucket = Enumerable.Range(0, _instanceSlotImage.Length)
            .GroupBy(slot => _instanceSizes[_instanceSlotImage[slot]])
            .OrderBy(g => g.Key.Width).ThenBy(g => g.Key.Height)
            .Select(g => g.ToArray())
            .ToArray();
        _classSlotImage = classImages is null ? [] : Slots(classImages);
        BatchesPerEpoch = _slotsByBucket.Sum(slots => (slots.Length + settings.BatchSize - 1) / settings.BatchSize);
    }

    /// <summary>Micro-batches in one pass over the repeated instance images.</summary>
    public int BatchesPerEpoch { get; }

    /// <summary>Whether batches carry class images.</summary>
    public bool HasClassImages => _classes is not null;

    /// <summary>Micro-batches per optimizer step (gradient accumulation).</summary>
    public int MicroBatchesPerStep => _settings.MicroBatchesPerStep;

    /// <summary>The pixel size (square, or bucket) of each instance image, aligned with <see cref="TrainingImageSet.Images"/>.</summary>
    public IReadOnlyList<ImageSize> InstanceSizes => _instanceSizes;

    /// <summary>Optimizer steps that cover <paramref name="epochs"/> passes over the repeated instance images.</summary>
    public int StepsForEpochs(int epochs)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(epochs);
        long batches = (long)epochs * BatchesPerEpoch;
        return checked((int)((batches + _settings.MicroBatchesPerStep - 1) / _settings.MicroBatchesPerStep));
    }

    /// <summary>The batch of micro-batch <paramref name="microBatch"/> of optimizer step <paramref name="step"/> (both 0-based).</summary>
    public PlannedBatch Plan(int step, int microBatch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        if (microBatch < 0 || microBatch >= _settings.MicroBatchesPerStep)
            throw new ArgumentOutOfRangeException(nameof(microBatch), microBatch, $"must be between 0 and {_settings.MicroBatchesPerStep - 1}");
        return PlanBatch((long)step * _settings.MicroBatchesPerStep + microBatch);
    }

    /// <summary>The run's <paramref name="index"/>-th micro-batch (0-based).</summary>
    public PlannedBatch PlanBatch(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        int epoch = checked((int)(index / BatchesPerEpoch));
        int position = (int)(index % BatchesPerEpoch);
        var layout = Layout(epoch);
        var slots = layout.Batches[position];
        var size = _instanceSizes[_instanceSlotImage[slots[0]]];

        var examples = new List<PlannedExample>(2 * slots.Length);
        foreach (int slot in slots)
            examples.Add(InstanceExample(epoch, slot));
        if (_classes is not null)
        {
            // Class items continue where the previous batch's left off: as many so far as instance items so far.
            long first = (long)epoch * _instanceSlotImage.Length + layout.InstancesBefore[position];
            for (int k = 0; k < slots.Length; k++)
                examples.Add(ClassExample(_classes, first + k, size));
        }
        return new PlannedBatch(index, epoch, size, examples);
    }

    /// <summary>
    /// Every variant a batch can use when crops are centred: each instance image at its size, and each class image at
    /// every instance size, each upright and (with random flip) mirrored. What a latent cache must hold.
    /// </summary>
    public IReadOnlyList<ImageVariant> AllVariants()
    {
        if (_preprocessing.Crop == CropMode.Random)
            throw new ArgumentException("random crop draws a new crop for every item and epoch, so there is no fixed set of variants to cache: use centre crop, or encode latents as batches are drawn");
        bool[] flips = _preprocessing.RandomFlip ? [false, true] : [false];
        var variants = new List<ImageVariant>();
        for (int i = 0; i < _instances.Images.Count; i++)
            variants.AddRange(flips.Select(flip => ImageVariant.Centered(_instances.Images[i], _instanceSizes[i], flip)));
        if (_classes is not null)
        {
            var sizes = _instanceSizes.Distinct().ToList();
            foreach (var image in _classes.Images)
                variants.AddRange(sizes.SelectMany(size => flips.Select(flip => ImageVariant.Centered(image, size, flip))));
        }
        return variants.Distinct().ToList();
    }

    PlannedExample InstanceExample(int epoch, int slot)
    {
        var image = _instances.Images[_instanceSlotImage[slot]];
        var variant = Variant(image, _instanceSizes[_instanceSlotImage[slot]], epoch, slot, RandomPurpose.InstanceFlip, RandomPurpose.InstanceCrop);
        bool dropCaption = _settings.CaptionDropout > 0
            && new KeyedRandom(_settings.Seed, RandomPurpose.CaptionDropout, epoch, slot).NextDouble() < _settings.CaptionDropout;
        return new PlannedExample(variant, dropCaption ? "" : image.Caption, IsClassExample: false, LossWeight: 1f);
    }

    PlannedExample ClassExample(TrainingImageSet classes, long position, ImageSize size)
    {
        long classEpoch = position / _classSlotImage.Length;
        var order = Enumerable.Range(0, _classSlotImage.Length).ToArray();
        new KeyedRandom(_settings.Seed, RandomPurpose.ClassOrder, classEpoch).Shuffle(order);
        int slot = order[position % _classSlotImage.Length];
        var image = classes.Images[_classSlotImage[slot]];
        var variant = Variant(image, size, classEpoch, slot, RandomPurpose.ClassFlip, RandomPurpose.ClassCrop);
        return new PlannedExample(variant, image.Caption, IsClassExample: true, LossWeight: _settings.PriorLossWeight);
    }

    ImageVariant Variant(TrainingImage image, ImageSize size, long epoch, int slot, RandomPurpose flipPurpose, RandomPurpose cropPurpose)
    {
        bool flip = _preprocessing.RandomFlip && new KeyedRandom(_settings.Seed, flipPurpose, epoch, slot).NextDouble() < 0.5;
        if (_preprocessing.Crop == CropMode.Center) return ImageVariant.Centered(image, size, flip);
        var cover = ImageTransforms.CoverSize(image.Width, image.Height, size.Width, size.Height);
        var random = new KeyedRandom(_settings.Seed, cropPurpose, epoch, slot);
        return new ImageVariant(image, size, flip, random.NextInt(cover.Width - size.Width + 1), random.NextInt(cover.Height - size.Height + 1));
    }

    EpochLayout Layout(int epoch)
    {
        if (_lastLayout is { } last && last.Epoch == epoch) return last;
        var batches = new List<int[]>(BatchesPerEpoch);
        for (int bucket = 0; bucket < _slotsByBucket.Length; bucket++)
        {
            var order = _slotsByBucket[bucket].ToArray();
            new KeyedRandom(_settings.Seed, RandomPurpose.InstanceOrder, epoch, bucket).Shuffle(order);
            batches.AddRange(order.Chunk(_settings.BatchSize));
        }
        new KeyedRandom(_settings.Seed, RandomPurpose.BatchOrder, epoch).Shuffle(batches);
        var before = new int[batches.Count];
        for (int i = 1; i < batches.Count; i++) before[i] = before[i - 1] + batches[i - 1].Length;
        var layout = new EpochLayout(epoch, batches, before);
        _lastLayout = layout;
        return layout;
    }

    /// <summary>Slot s of a set is one repeat of one image: slot → image index, images in order, each repeated.</summary>
    static int[] Slots(TrainingImageSet set) =>
        set.Images.SelectMany((image, index) => Enumerable.Repeat(index, image.Repeats)).ToArray();

    /// <summary>The batches of one epoch (as slot lists) and how many instance items precede each.</summary>
    sealed record EpochLayout(int Epoch, IReadOnlyList<int[]> Batches, int[] InstancesBefore);
}
