using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.CloudWatch.Actions;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.SNS;
using Amazon.CDK.AWS.SNS.Subscriptions;

namespace AwsModelPlatform.Constructs.Foundation;

/// <summary>The one topic every alarm of the platform notifies.</summary>
public interface IAlarmTopic
{
    /// <summary>The SNS topic.</summary>
    ITopic Topic { get; }

    /// <summary>Sends the alarm's ALARM and OK transitions to the topic.</summary>
    void Notify(AlarmBase alarm);

    /// <summary>Lets an AWS service of this account (e.g. <c>events.amazonaws.com</c>, <c>budgets.amazonaws.com</c>) publish to the topic.</summary>
    void AllowServiceToPublish(string servicePrincipal);
}

/// <summary>Properties of <see cref="AlarmTopic"/>.</summary>
public sealed record AlarmTopicProps
{
    /// <summary>The key that encrypts the topic.</summary>
    /// <remarks>Default: a new <see cref="PlatformKey"/> owned by the topic.</remarks>
    public IPlatformKey? Key { get; init; }

    /// <summary>An address to subscribe to the topic by email.</summary>
    /// <remarks>Default: none; subscribe later, or add other subscriptions to <see cref="IAlarmTopic.Topic"/>.</remarks>
    public string? Email { get; init; }
}

/// <summary>
/// An SNS topic for alarms: KMS-encrypted with the platform key, a topic policy that refuses anything but TLS,
/// CloudWatch alarms of this account and region allowed to publish, and an optional email subscription.
/// </summary>
public sealed class AlarmTopic : Construct, IAlarmTopic
{
    /// <summary>Checks whose messages start with this construct's path.</summary>
    private ConstructChecks Check => Validate.Of(this);

    private readonly IPlatformKey _key;
    private readonly HashSet<string> _publishers = new();

    /// <inheritdoc />
    public ITopic Topic { get; }

    /// <summary>Creates the topic.</summary>
    public AlarmTopic(Construct scope, string id, AlarmTopicProps? props = null) : base(scope, id)
    {
        props ??= new AlarmTopicProps();
        if (props.Email is { } email)
            Check.That(System.Text.RegularExpressions.Regex.IsMatch(email, @"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
                $"AlarmTopicProps.Email = '{email}' is not an email address; give one like ops@example.com, or leave it unset.");
        _key = props.Key ?? new PlatformKey(this, "Key");
        Topic = new Topic(this, "Topic", new TopicProps
        {
            DisplayName = "AwsModelPlatform alarms",
            MasterKey = _key.Key,
            EnforceSSL = true,
        });
        AllowServiceToPublish("cloudwatch.amazonaws.com");
        if (props.Email is { } address)
            Topic.AddSubscription(new EmailSubscription(address));
    }

    /// <inheritdoc />
    public void Notify(AlarmBase alarm)
    {
        var action = new SnsAction(Topic);
        alarm.AddAlarmAction(action);
        alarm.AddOkAction(action);
    }

    /// <inheritdoc />
    public void AllowServiceToPublish(string servicePrincipal)
    {
        if (!_publishers.Add(servicePrincipal)) return;
        _key.AllowServiceToPublishToEncryptedTopics(servicePrincipal);
        Topic.AddToResourcePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "AllowPublishFrom" + new string(servicePrincipal.Split('.')[0].Where(char.IsLetterOrDigit).ToArray()),
            Principals = new IPrincipal[] { new ServicePrincipal(servicePrincipal) },
            Actions = new[] { "sns:Publish" },
            Resources = new[] { Topic.TopicArn },
            Conditions = PublisherConditions(servicePrincipal, Stack.Of(this)),
        }));
    }

    /// <summary>
    /// The conditions of a service's <c>sns:Publish</c> grant: the source keys that service documents sending to SNS,
    /// never one it does not send (the publish would be refused and the alarm lost). A service with no documented
    /// keys is held to <c>aws:SourceAccount</c>, the SNS guide's general form.
    /// </summary>
    internal static Dictionary<string, object>? PublisherConditions(string servicePrincipal, Stack stack) => servicePrincipal switch
    {
        // https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html (CloudWatch alarms: aws:SourceArn)
        "cloudwatch.amazonaws.com" => new()
        {
            ["ArnLike"] = new Dictionary<string, object> { ["aws:SourceArn"] = $"arn:{stack.Partition}:cloudwatch:{stack.Region}:{stack.Account}:alarm:*" },
        },
        // "You can't use Condition blocks in Amazon SNS topic policies for EventBridge":
        // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sns-permissions
        "events.amazonaws.com" => null,
        // https://docs.aws.amazon.com/cost-management/latest/userguide/budgets-sns-policy.html
        "budgets.amazonaws.com" => new()
        {
            ["StringEquals"] = new Dictionary<string, object> { ["aws:SourceAccount"] = stack.Account },
            ["ArnLike"] = new Dictionary<string, object> { ["aws:SourceArn"] = $"arn:{stack.Partition}:budgets::{stack.Account}:*" },
        },
        // https://docs.aws.amazon.com/cost-management/latest/userguide/ad-SNS.html
        _ => new()
        {
            ["StringEquals"] = new Dictionary<string, object> { ["aws:SourceAccount"] = stack.Account },
        },
    };
}
