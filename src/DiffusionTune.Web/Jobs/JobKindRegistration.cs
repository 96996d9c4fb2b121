using Microsoft.Extensions.DependencyInjection;

namespace DiffusionTune.Web.Jobs;

/// <summary>Registers job kinds with the server's services.</summary>
public static class JobKindRegistration
{
    /// <summary>Adds <typeparamref name="TKind"/> as a job kind the queue can run.</summary>
    public static IServiceCollection AddJobKind<TKind>(this IServiceCollection services) where TKind : class, IJobKind =>
        services.AddSingleton<IJobKind, TKind>();
}
