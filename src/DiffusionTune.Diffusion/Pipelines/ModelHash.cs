using System.Security.Cryptography;
using System.Text.Json;
using DiffusionTune.IO;

namespace DiffusionTune.Diffusion.Pipelines;

/// <summary>
/// The short model hash A1111 writes into image metadata: the first 10 hex digits of the weights file's SHA-256.
/// Hashing a multi-GB file takes seconds, so results are cached per path, size and modification time.
/// </summary>
public static class ModelHash
{
    static readonly string CacheFile = Path.Combine(
        Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create),
        "diffusiontune", "hashes.json");

    static readonly object Gate = new();

    public static string Short(string file)
    {
        var info = new FileInfo(file);
        var key = $"{info.FullName}|{info.Length}|{info.LastWriteTimeUtc.Ticks}";
        lock (Gate)
        {
            var cache = ReadCache();
            if (cache.TryGetValue(key, out var known)) return known;
            using var stream = File.OpenRead(file);
            var hash = Convert.ToHexStringLower(SHA256.HashData(stream))[..10];
            cache[key] = hash;
            try
            {
                AtomicFile.WriteAllText(CacheFile, JsonSerializer.Serialize(cache));
            }
            catch (IOException)
            {
                // The cache only saves time; a read-only home folder must not stop generation.
            }
            catch (UnauthorizedAccessException)
            {
            }
            return hash;
        }
    }

    static Dictionary<string, string> ReadCache()
    {
        try
        {
            return File.Exists(CacheFile)
                ? JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(CacheFile)) ?? []
                : [];
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            return [];
        }
    }
}
