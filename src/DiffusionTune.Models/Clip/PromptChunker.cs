namespace DiffusionTune.Models.Clip;

/// <summary>
/// Distributes a prompt's tokens over chunks of at most <c>contentLength</c> tokens the way the AUTOMATIC1111 web UI
/// does: a chunk is closed when the next token does not fit, or by BREAK, and, with a comma backtrack, the tokens
/// after a nearby comma move on to the next chunk.
/// </summary>
sealed class PromptChunker(int contentLength, int commaId, int commaBacktrack)
{
    readonly List<(List<int> Ids, List<float> Weights)> _chunks = [];
    List<int> _ids = [];
    List<float> _weights = [];
    int _lastComma = -1;

    public void Add(int id, float weight)
    {
        if (id == commaId)
        {
            _lastComma = _ids.Count;
        }
        else if (commaBacktrack > 0 && _ids.Count == contentLength && _lastComma >= 0 && _ids.Count - _lastComma <= commaBacktrack)
        {
            int moved = _lastComma + 1;
            var movedIds = _ids.GetRange(moved, _ids.Count - moved);
            var movedWeights = _weights.GetRange(moved, _weights.Count - moved);
            _ids.RemoveRange(moved, movedIds.Count);
            _weights.RemoveRange(moved, movedWeights.Count);
            Break();
            _ids = movedIds;
            _weights = movedWeights;
        }

        if (_ids.Count == contentLength)
            Break();
        _ids.Add(id);
        _weights.Add(weight);
    }

    /// <summary>Closes the current chunk, even an empty one.</summary>
    public void Break()
    {
        _chunks.Add((_ids, _weights));
        _ids = [];
        _weights = [];
        _lastComma = -1;
    }

    /// <summary>The chunks, the last one closed if it holds tokens; at least one chunk.</summary>
    public IReadOnlyList<(List<int> Ids, List<float> Weights)> Finish()
    {
        if (_ids.Count > 0 || _chunks.Count == 0)
            Break();
        return _chunks;
    }
}
