namespace DiffusionTune.Workflows.Settings;

/// <summary>Does something for each kind of <see cref="TrainSetting"/>: the CLI builds its option, a form its field.</summary>
public interface ITrainSettingVisitor<out TResult>
{
    TResult Scalar<T>(ScalarSetting<T> setting);

    TResult List(ListSetting setting);

    TResult NamedValues(NamedValuesSetting setting);
}
