using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace DiffusionTune.IO.Formats;

/// <summary>
/// How the tensor names inside one kind of module differ between the diffusers and the CompVis layout: a table of
/// sub-module renames (each followed by <c>weight</c> or <c>bias</c>), or a pattern of names both layouts share.
/// </summary>
internal sealed class LeafRules
{
    readonly (string Diffusers, string CompVis, bool Projection)[] _modules;
    readonly Regex? _sharedNames;

    LeafRules((string, string, bool)[] modules, Regex? sharedNames)
    {
        _modules = modules;
        _sharedNames = sharedNames;
    }

    /// <summary>Sub-module renames; a <c>Projection</c> module's weight is a linear weight in diffusers and a 1×1 convolution in CompVis.</summary>
    public static LeafRules Renames(params (string Diffusers, string CompVis, bool Projection)[] modules) => new(modules, null);

    /// <summary>Names that are the same in both layouts, as long as they match <paramref name="pattern"/>.</summary>
    public static LeafRules Shared(string pattern) => new([], new Regex(pattern, RegexOptions.CultureInvariant));

    /// <summary>A module whose own <c>weight</c> and <c>bias</c> are its only tensors.</summary>
    public static LeafRules Parameters { get; } = Renames(("", "", false));

    public bool TryConvert(string leaf, bool toCompVis, [NotNullWhen(true)] out string? converted, out TensorTransform transform)
    {
        (converted, transform) = (null, TensorTransform.Identity);
        if (_sharedNames is not null)
        {
            if (!_sharedNames.IsMatch(leaf)) return false;
            converted = leaf;
            return true;
        }

        int dot = leaf.LastIndexOf('.');
        var module = dot < 0 ? "" : leaf[..dot];
        var parameter = leaf[(dot + 1)..];
        if (parameter is not ("weight" or "bias")) return false;
        foreach (var (diffusers, compVis, projection) in _modules)
        {
            if ((toCompVis ? diffusers : compVis) != module) continue;
            var renamed = toCompVis ? compVis : diffusers;
            converted = renamed.Length == 0 ? parameter : $"{renamed}.{parameter}";
            if (projection && parameter == "weight")
                transform = toCompVis ? TensorTransform.LinearToConv : TensorTransform.ConvToLinear;
            return true;
        }
        return false;
    }
}

/// <summary>
/// A two-way table of module paths (diffusers ↔ CompVis) with the leaf rules of each module. A tensor name is
/// converted by finding its longest module path in the table and converting the rest with that module's rules.
/// </summary>
internal sealed class ModulePrefixMap
{
    readonly Dictionary<string, (string Other, LeafRules Rules)> _fromDiffusers = [];
    readonly Dictionary<string, (string Other, LeafRules Rules)> _fromCompVis = [];

    public void Add(string diffusers, string compVis, LeafRules rules)
    {
        _fromDiffusers.Add(diffusers, (compVis, rules));
        _fromCompVis.Add(compVis, (diffusers, rules));
    }

    public bool TryToDiffusers(string compVisName, [NotNullWhen(true)] out string? diffusersName, out TensorTransform transform) =>
        TryConvert(_fromCompVis, compVisName, toCompVis: false, out diffusersName, out transform);

    public bool TryToCompVis(string diffusersName, [NotNullWhen(true)] out string? compVisName, out TensorTransform transform) =>
        TryConvert(_fromDiffusers, diffusersName, toCompVis: true, out compVisName, out transform);

    static bool TryConvert(Dictionary<string, (string Other, LeafRules Rules)> modules, string name, bool toCompVis,
        [NotNullWhen(true)] out string? converted, out TensorTransform transform)
    {
        for (int dot = name.LastIndexOf('.'); dot > 0; dot = name.LastIndexOf('.', dot - 1))
        {
            if (!modules.TryGetValue(name[..dot], out var module)) continue;
            if (module.Rules.TryConvert(name[(dot + 1)..], toCompVis, out var leaf, out transform))
            {
                converted = $"{module.Other}.{leaf}";
                return true;
            }
            break;
        }
        (converted, transform) = (null, TensorTransform.Identity);
        return false;
    }
}
