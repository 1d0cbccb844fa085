namespace AwsModelPlatform.Cdk;

/// <summary>
/// jsii runs the CDK on this machine's Node.js 20 and prints a banner about its age on every synth; the banner
/// says nothing about the templates, so it is silenced for this process and the Node process jsii starts
/// (the end-of-life one only for the majors listed).
/// </summary>
public static class NodeWarnings
{
    public static void Silence()
    {
        foreach (var (name, value) in new[] { ("JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION", "1"), ("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1"), ("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "18,20") })
            System.Environment.SetEnvironmentVariable(name, value);
    }
}
