namespace DiffusionTune.IO.Formats;

/// <summary>The three networks of a Stable Diffusion checkpoint, each a diffusers folder of its own.</summary>
public enum ModelComponent
{
    UNet,
    Vae,
    TextEncoder,
}

/// <summary>Names that belong to the diffusers folder layout rather than to any one format.</summary>
public static class ModelComponents
{
    /// <summary>The sub-folder of a diffusers pipeline that holds <paramref name="component"/>.</summary>
    public static string FolderName(this ModelComponent component) => component switch
    {
        ModelComponent.UNet => "unet",
        ModelComponent.Vae => "vae",
        ModelComponent.TextEncoder => "text_encoder",
        _ => throw new ArgumentOutOfRangeException(nameof(component), component, null),
    };

    /// <summary>A component's tensor name qualified by its folder (<c>vae/encoder.conv_in.weight</c>), for reports that mix components.</summary>
    internal static string Qualify(this ModelComponent component, string name) => $"{component.FolderName()}/{name}";
}
