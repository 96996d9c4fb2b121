namespace DiffusionTune.Training.Data;

/// <summary>
/// A batch as <see cref="BatchPlanner"/> chose it, before any pixels are read: instance items first, then (with prior
/// preservation) one class item per instance item, all of one <see cref="Size"/>.
/// </summary>
/// <param name="Index">The micro-batch's position in the run (optimizer step × micro-batches per step + micro-batch).</param>
/// <param name="Epoch">The pass over the repeated instance images it belongs to (0-based).</param>
/// <param name="Size">The pixel size of every item.</param>
/// <param name="Examples">The items.</param>
public sealed record PlannedBatch(long Index, int Epoch, ImageSize Size, IReadOnlyList<PlannedExample> Examples);
