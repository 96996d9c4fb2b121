using System.CommandLine;
using System.CommandLine.Parsing;
using DiffusionTune.Workflows.Settings;

namespace DiffusionTune.Cli.Commands.Train;

/// <summary>The command-line option of a <see cref="TrainSetting"/> and how the value typed for it is read.</summary>
/// <param name="Read">The value in <paramref name="Option"/>'s result, given where it came from.</param>
public sealed record TrainSettingOption(Option Option, Func<OptionResult, SettingOrigin, object?> Read)
{
    /// <summary>A new option for <paramref name="setting"/> (System.CommandLine symbols have one parent, so one per command).</summary>
    public static TrainSettingOption For(TrainSetting setting) => setting.Accept(Builder.Instance);

    sealed class Builder : ITrainSettingVisitor<TrainSettingOption>
    {
        public static readonly Builder Instance = new();

        public TrainSettingOption Scalar<T>(ScalarSetting<T> setting)
        {
            var option = new Option<T>(setting.OptionName, [.. setting.Aliases]) { Description = setting.Description };
            if (setting.Default is not null) option.DefaultValueFactory = _ => setting.Default;
            if (setting.Choices.Count > 0) option.HelpName = string.Join("|", setting.Choices);
            return new(option, (result, _) => setting.FromInput(result.GetValueOrDefault<T>()!));
        }

        public TrainSettingOption List(ListSetting setting) => new(new Option<string[]>(setting.OptionName)
        {
            Description = setting.Description,
            DefaultValueFactory = _ => [],
            AllowMultipleArgumentsPerToken = true,
        }, (result, _) => result.GetValueOrDefault<string[]>() ?? []);

        public TrainSettingOption NamedValues(NamedValuesSetting setting) => new(new Option<string[]>(setting.OptionName, [.. setting.Aliases])
        {
            Description = setting.Description,
            HelpName = "NAME=VALUE",
            DefaultValueFactory = _ => [],
            AllowMultipleArgumentsPerToken = true,
        }, (result, origin) => setting.FromInput(result.GetValueOrDefault<string[]>() ?? [], origin));
    }
}
