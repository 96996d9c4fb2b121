namespace DiffusionTune.Contracts;

/// <summary>
/// The version of this contract. A plugin records the version it was compiled against in
/// <see cref="TrainerInfo.ContractVersion"/> (these constants are baked into the plugin at compile time). The host
/// loads a plugin when the major versions are equal and the plugin's minor version is not newer than the host's:
/// minor versions only add members that the host implements, major versions may change or remove them.
/// </summary>
public static class ContractVersion
{
    /// <summary>Changes when existing members change or disappear.</summary>
    public const int Major = 1;

    /// <summary>Changes when members are added.</summary>
    public const int Minor = 5;

    /// <summary>This contract's version as a <see cref="System.Version"/>.</summary>
    public static Version Current => new(Major, Minor);

    /// <summary>Whether a host of this version can run a plugin compiled against <paramref name="pluginContract"/>.</summary>
    public static bool CanLoad(Version pluginContract) => pluginContract.Major == Major && pluginContract.Minor <= Minor;
}
