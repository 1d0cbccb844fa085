using Amazon.CDK.AWS.DynamoDB;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.Lambda;
using AwsModelPlatform.Constructs.Api;
using Attribute = Amazon.CDK.AWS.DynamoDB.Attribute;

namespace AwsModelPlatform.Constructs.Access;

/// <summary>Properties of <see cref="TeamAccess"/>.</summary>
public sealed record TeamAccessProps : PlatformConstructProps
{
    /// <summary>A directory holding a prebuilt Native AOT <c>bootstrap</c> of <c>src/Handlers</c>.</summary>
    /// <remarks>Default: none: <see cref="HandlerProject"/> if set, else <see cref="HandlerCode.Default(Architecture)"/>, as the APIs do.</remarks>
    public string? HandlerDirectory { get; init; }

    /// <summary>The handler project to publish with Native AOT.</summary>
    /// <remarks>Default: none (see <see cref="HandlerDirectory"/>).</remarks>
    public string? HandlerProject { get; init; }

    /// <summary>Instruction set of the authorizer and admin functions.</summary>
    /// <remarks>Default: x86_64 (see <see cref="HandlerApiProps.Architecture"/>).</remarks>
    public Architecture? Architecture { get; init; }

    /// <summary>The AWS Lambda Web Adapter layer ARN, for accounts that forbid third-party layers.</summary>
    /// <remarks>Default: AWS's published layer (see <see cref="HandlerFunctionProps.WebAdapterLayerArn"/>).</remarks>
    public string? WebAdapterLayerArn { get; init; }

    /// <summary>
    /// How long a checked key is trusted without asking the table again, in whole seconds from 0 to 3,600: the gateway's
    /// authorizer cache of APIs that take keys in <c>Authorization</c> only, and the authorizer's in-process cache for APIs
    /// that also take <c>x-api-key</c> (whose gateway cache is off). A revocation takes effect within it.
    /// </summary>
    /// <remarks>Default: 60 seconds: a request costs no authorizer call most of the time, and a revoked key stops within a minute.</remarks>
    public Duration KeyCacheTtl { get; init; } = Duration.Seconds(60);

    /// <summary>Reserved (and maximum) concurrency of the authorizer function.</summary>
    /// <remarks>Default: 20: with the cache, the authorizer runs once per key and TTL, not once per request.</remarks>
    public int AuthorizerReservedConcurrency { get; init; } = 20;

    /// <summary>Reserved (and maximum) concurrency of the admin function.</summary>
    /// <remarks>Default: 5: key and team management is a handful of calls by operators.</remarks>
    public int AdminReservedConcurrency { get; init; } = 5;
}

/// <summary>
/// Governed access for the platform's APIs (issue 15, docs/access.md): the access table (DynamoDB on demand, encrypted
/// with the platform key, point-in-time recovery, TTL on <c>expiresAt</c>, kept like the platform's other data), the KMS
/// HMAC key API keys are hashed with, the REQUEST authorizer function and the admin function (the handler's
/// <c>authorizer</c> and <c>access</c> route groups). Each function's grant is scoped to the item families it uses with
/// <c>dynamodb:LeadingKeys</c>. One <see cref="TeamAccess"/> can serve several APIs: they share the table, so a team's
/// limits and budget hold across them.
/// </summary>
public sealed class TeamAccess : PlatformConstruct
{
    /// <summary>The access table (<see cref="AccessLayout"/>).</summary>
    public Table Table { get; }

    /// <summary>The KMS HMAC key (<c>HMAC_256</c>, <c>GENERATE_VERIFY_MAC</c>) API keys are hashed with; it never leaves KMS.</summary>
    public Key HmacKey { get; }

    /// <summary>The REQUEST authorizer function (the handler's <c>authorizer</c> route group).</summary>
    public HandlerFunction Authorizer { get; }

    /// <summary>The admin function (the handler's <c>access</c> route group): keys and teams, under IAM on each API.</summary>
    public HandlerFunction Admin { get; }

    /// <summary>How long a checked key is trusted (<see cref="TeamAccessProps.KeyCacheTtl"/>).</summary>
    public Duration KeyCacheTtl { get; }

    /// <summary>The handler code the functions run, for the APIs that route to them.</summary>
    internal Code Code { get; }

    /// <summary>Creates the table, the HMAC key, the two functions and their grants.</summary>
    public TeamAccess(Construct scope, string id, TeamAccessProps? props = null) : base(scope, id, props ??= new TeamAccessProps(), "team-access")
    {
        Check.WholeSeconds(props.KeyCacheTtl, 0, 3600, "TeamAccessProps.KeyCacheTtl");
        Check.That(props.AuthorizerReservedConcurrency >= 1 && props.AdminReservedConcurrency >= 1,
            $"TeamAccessProps.AuthorizerReservedConcurrency = {props.AuthorizerReservedConcurrency} and AdminReservedConcurrency = {props.AdminReservedConcurrency}: " +
            "each must be at least 1; 0 would turn the function off.");
        Check.That(props.HandlerDirectory is null || props.HandlerProject is null,
            "TeamAccessProps: HandlerDirectory (a prebuilt bootstrap) and HandlerProject (a project to publish) are alternatives; set only one of them.");
        KeyCacheTtl = props.KeyCacheTtl;
        var architecture = props.Architecture ?? Amazon.CDK.AWS.Lambda.Architecture.X86_64;
        Code = props.HandlerDirectory is { } directory ? HandlerCode.FromDirectory(directory)
            : props.HandlerProject is { } project ? HandlerCode.FromProject(project, architecture)
            : HandlerCode.Default(nameof(TeamAccessProps), architecture);

        var removal = Platform.RemovalPolicy;
        Table = new Table(this, "Table", new TableProps
        {
            PartitionKey = new Attribute { Name = AccessLayout.PartitionKey, Type = AttributeType.STRING },
            SortKey = new Attribute { Name = AccessLayout.SortKey, Type = AttributeType.STRING },
            BillingMode = BillingMode.PAY_PER_REQUEST,
            Encryption = TableEncryption.CUSTOMER_MANAGED,
            EncryptionKey = Platform.Key.Key,
            PointInTimeRecovery = true,
            TimeToLiveAttribute = AccessLayout.Ttl,
            // Keys, limits and the usage ledger are the platform's data: kept and protected as its buckets are.
            DeletionProtection = removal == RemovalPolicy.RETAIN,
            RemovalPolicy = removal,
        });
        Suppressions.AddCompliance(Table, "DynamoDBInBackupPlan",
            "Point-in-time recovery is on: the table can be restored to any second of the last 35 days " +
            "(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Point-in-time-recovery.html), and it is retained and deletion-protected. " +
            "It holds key MACs (keys are revocable and re-issued, never recovered), team limits and the usage ledger; an AWS Backup plan would add a vault, " +
            "a role and a schedule for no data PITR cannot restore.");

        HmacKey = new Key(this, "HmacKey", new KeyProps
        {
            Description = $"{Platform.NamePrefix} API key MACs (HMAC-SHA-256 of key id and secret)",
            KeySpec = KeySpec.HMAC_256,
            KeyUsage = KeyUsage.GENERATE_VERIFY_MAC,
            EnableKeyRotation = false,
            PendingWindow = Duration.Days(30),
            RemovalPolicy = removal,
        });
        // No rotation: KMS rotates symmetric encryption keys only
        // (https://docs.aws.amazon.com/kms/latest/APIReference/API_EnableKeyRotation.html), and rotating by hand would invalidate
        // every stored key MAC. cdk-nag's rotation rules (AwsSolutions-KMS5, KMSBackingKeyRotationEnabled) know that and
        // raise no finding on an HMAC key, so there is nothing to suppress.

        // Both functions run the handler with the access settings; each serves one route group.
        var settings = SettingsEnvironment.Of(AccessSettings.Section, new AccessSettings { TableName = Table.TableName, HmacKeyId = HmacKey.KeyArn });
        HandlerFunction AccessFunction(string id, string purpose, string routeGroup, int reservedConcurrency, Duration? timeout,
            Dictionary<string, string>? extra = null)
        {
            var environment = new Dictionary<string, string>(HandlerEnvironment.Of(new ApiSettings { Name = PlatformRestApi.NameOf(Platform, "access"), RouteGroups = routeGroup }));
            Add(environment, settings);
            if (extra is not null) Add(environment, extra);
            return new HandlerFunction(this, id, new HandlerFunctionProps
            {
                Platform = Platform,
                Purpose = purpose,
                Code = Code,
                Configuration = environment,
                Architecture = props.Architecture,
                ReservedConcurrency = reservedConcurrency,
                Timeout = timeout,
                WebAdapterLayerArn = props.WebAdapterLayerArn,
            });
        }

        Authorizer = AccessFunction("Authorizer", "access-authorizer", RouteGroup.Authorizer, props.AuthorizerReservedConcurrency,
            // A few seconds: API Gateway waits for its authorizer within the integration's 29 s.
            Duration.Seconds(10),
            new Dictionary<string, string>
            {
                // The in-process key cache only once an API's gateway cache is off (it takes x-api-key, UseInProcessKeyCache):
                // otherwise the two caches would add up and a revocation would take up to twice the TTL.
                [KeyCacheVariable] = "0",
                // Lambda authorizer events are not HTTP requests: the adapter posts them to its pass-through path.
                [WebAdapter.PassThroughPathVariable] = Routes.AuthorizeRequest.Path,
            });
        Admin = AccessFunction("Admin", "access-admin", RouteGroup.Access, props.AdminReservedConcurrency, timeout: null);

        // Least privilege: the authorizer reads key records; the admin function manages the whole table.
        AccessGrants.Grant(Authorizer.Role, Table, Platform.Key.Key, "AccessKeyRecords", AccessGrants.AuthorizerActions, [AccessLayout.KeyItems]);
        AccessGrants.GrantMac(Authorizer.Role, HmacKey, "ApiKeyMacs");
        AccessGrants.Grant(Admin.Role, Table, Platform.Key.Key, "AccessTable", AccessGrants.AdminActions, null);
        AccessGrants.GrantMac(Admin.Role, HmacKey, "ApiKeyMacs");
    }

    /// <summary>The handler's routes that use the access table, which <paramref name="grantee"/> may then call: team and usage items only (no key record).</summary>
    public void GrantTeamUsage(Amazon.CDK.AWS.IAM.IRole grantee) =>
        AccessGrants.Grant(grantee, Table, Platform.Key.Key, "TeamLimitsAndUsage", AccessGrants.InferenceActions, [AccessLayout.TeamItems, AccessLayout.UsageItems]);

    /// <summary>The settings of an API function whose model routes count in this table.</summary>
    internal AccessSettings SettingsFor(IReadOnlyDictionary<string, string>? callerTeams) => new()
    {
        TableName = Table.TableName,
        CallerTeams = (callerTeams ?? new Dictionary<string, string>()).Select(c => new CallerTeam { Caller = c.Key, Team = c.Value }).ToList(),
    };

    /// <summary>An API takes <c>x-api-key</c>, so its gateway cannot cache answers: the authorizer keeps checked keys in memory.</summary>
    internal void UseInProcessKeyCache() =>
        Authorizer.Function.AddEnvironment(KeyCacheVariable, ((int)KeyCacheTtl.ToSeconds()).ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static string KeyCacheVariable => SettingsEnvironment.Key(AccessSettings.Section, nameof(AccessSettings.KeyCacheSeconds));

    private static void Add(Dictionary<string, string> variables, Dictionary<string, string> more)
    {
        foreach (var (key, value) in more) variables[key] = value;
    }
}
