using DiffusionTune.IO.Images;

namespace DiffusionTune.Web.Gallery;

/// <summary>An image a generate job made, as the gallery shows it.</summary>
/// <param name="JobId">The job that made it.</param>
/// <param name="EventId">Its <c>image</c> event (the page fetches it from <c>/jobs/JOB/images/EVENT</c>).</param>
/// <param name="Time">When it was reported.</param>
/// <param name="ParametersText">The PNG's A1111 <c>parameters</c> text; null when it has none.</param>
/// <param name="Parameters">That text parsed; null when it has none or it does not parse.</param>
public sealed record GalleryImage(string JobId, long EventId, DateTimeOffset Time, string? ParametersText, GenerationParameters? Parameters);
