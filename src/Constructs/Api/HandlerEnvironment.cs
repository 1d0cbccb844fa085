namespace AwsModelPlatform.Constructs.Api;

/// <summary>
/// A handler function's configuration as environment variables: the contract's settings records, flattened by
/// <see cref="SettingsEnvironment"/> (only what differs from the handler's defaults). No key is written by hand.
/// </summary>
internal static class HandlerEnvironment
{
    /// <summary>The variables of <paramref name="api"/> and the route group's settings.</summary>
    public static IReadOnlyDictionary<string, string> Of(ApiSettings api, InferenceSettings? inference = null, TrainingSettings? training = null, AccessSettings? access = null)
    {
        var variables = SettingsEnvironment.Of(ApiSettings.Section, api);
        if (access is not null) Add(variables, SettingsEnvironment.Of(AccessSettings.Section, access));
        if (inference is not null) Add(variables, SettingsEnvironment.Of(InferenceSettings.Section, inference));
        if (training is not null) Add(variables, SettingsEnvironment.Of(TrainingSettings.Section, training));
        return variables;
    }

    private static void Add(Dictionary<string, string> variables, Dictionary<string, string> more)
    {
        foreach (var (key, value) in more) variables.Add(key, value);
    }
}
