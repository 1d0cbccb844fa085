using Amazon.JSII.Runtime.Deputy;

namespace AwsModelPlatform.Constructs.Api;

/// <summary>
/// Says at synthesis what the app's handler functions reserve of an account's Lambda concurrency. Lambda lets an
/// account reserve only down to 100 unreserved executions ("You can reserve up to the Unreserved account concurrency
/// value that is shown, minus 100", https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html), and
/// new accounts start with a concurrency quota below the default 1,000: a deployment whose reservations do not fit fails
/// on the function. One warning per stack holding handler functions, naming the total over the app for that account and
/// region, the functions, the quota needed and how to lower it.
/// </summary>
internal sealed class ReservedConcurrencyCheck : DeputyBase, IAspect
{
    /// <summary>The unreserved concurrency Lambda keeps for functions without a reservation.</summary>
    public const int UnreservedMinimum = 100;

    private const string MarkerId = "AwsModelPlatformReservedConcurrency";

    private readonly Stage _stage;

    private ReservedConcurrencyCheck(Stage stage) => _stage = stage;

    /// <summary>Adds the check to the app (or stage) of <paramref name="scope"/>, once.</summary>
    public static void ApplyOnce(IConstruct scope)
    {
        var stage = Stage.Of(scope) ?? throw new InvalidOperationException($"{scope.Node.Path} is in no app.");
        if (stage.Node.TryFindChild(MarkerId) is not null) return;
        _ = new Construct(stage, MarkerId);
        Aspects.Of(stage).Add(new ReservedConcurrencyCheck(stage));
    }

    /// <inheritdoc />
    public void Visit(IConstruct node)
    {
        // Aspects visit the app before any of its constructs, once all of them exist; a stage inside it has its own check.
        if (node is not Stage stage || stage.Node.Path != _stage.Node.Path) return;
        var functions = node.Node.FindAll().OfType<HandlerFunction>().Where(f => Stage.Of(f)?.Node.Path == _stage.Node.Path).ToList();
        foreach (var environment in functions.GroupBy(f => EnvironmentOf(Stack.Of(f))))
        {
            var total = environment.Sum(f => f.ReservedConcurrency);
            var (account, region) = environment.Key;
            var list = string.Join(", ", environment.Select(f => $"{f.Node.Path} {f.ReservedConcurrency}"));
            foreach (var stack in environment.Select(f => Stack.Of(f)).Distinct())
                Annotations.Of(stack).AddWarningV2("AwsModelPlatform:ReservedConcurrency",
                    $"The handler functions of this app reserve {total} concurrent Lambda executions in account {account}, region {region} ({list}). " +
                    $"Lambda keeps at least {UnreservedMinimum} executions unreserved, so the account's Lambda 'Concurrent executions' quota there must be at least {total + UnreservedMinimum}; " +
                    "new accounts start lower (see Service Quotas, and request an increase before deploying). To reserve less, lower the APIs' ReservedConcurrency (InferenceApiProps, TrainingApiProps), " +
                    "InferenceApiProps.StreamingReservedConcurrency, or HandlerFunctionProps.ReservedConcurrency.");
        }
    }

    private static (string Account, string Region) EnvironmentOf(Stack stack) =>
        (Token.IsUnresolved(stack.Account) ? "(the deploying account)" : stack.Account, Token.IsUnresolved(stack.Region) ? "(the deploying region)" : stack.Region);
}
