using Amazon;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using AwsModelPlatform.Handlers.Access;
using AwsModelPlatform.Handlers.Tests.Fakes;
using Microsoft.Extensions.Time.Testing;

namespace AwsModelPlatform.Handlers.Tests.Access;

/// <summary>
/// moto's DynamoDB and KMS for the access store: one table per test class with the access table's key schema and an
/// HMAC key (<c>HMAC_256</c>, <c>GENERATE_VERIFY_MAC</c>), as the construct creates them. moto answers one request at a
/// time, so its conditional writes are atomic as DynamoDB's are (<see cref="MotoServer.StartAsync"/>).
/// </summary>
public sealed class AccessMoto : IAsyncLifetime
{
    public MotoServer Moto { get; private set; } = null!;
    public IAmazonDynamoDB Dynamo { get; private set; } = null!;
    public IAmazonKeyManagementService Kms { get; private set; } = null!;
    public string HmacKeyId { get; private set; } = null!;
    private int _tables;

    public async Task InitializeAsync()
    {
        Moto = await MotoServer.StartAsync(oneRequestAtATime: true);
        var credentials = new BasicAWSCredentials("testing", "testing");
        Dynamo = new AmazonDynamoDBClient(credentials, new AmazonDynamoDBConfig { ServiceURL = Moto.Url.ToString(), AuthenticationRegion = "us-east-1" });
        Kms = new AmazonKeyManagementServiceClient(credentials, new AmazonKeyManagementServiceConfig { ServiceURL = Moto.Url.ToString(), AuthenticationRegion = "us-east-1" });
        var key = await Kms.CreateKeyAsync(new Amazon.KeyManagementService.Model.CreateKeyRequest { KeySpec = KeySpec.HMAC_256, KeyUsage = KeyUsageType.GENERATE_VERIFY_MAC });
        HmacKeyId = key.KeyMetadata.KeyId;
    }

    /// <summary>A new, empty access table.</summary>
    public async Task<string> NewTableAsync()
    {
        var name = $"access-{Interlocked.Increment(ref _tables)}";
        await Dynamo.CreateTableAsync(new CreateTableRequest
        {
            TableName = name,
            BillingMode = BillingMode.PAY_PER_REQUEST,
            KeySchema = [new(AccessTable.PartitionKey, KeyType.HASH), new(AccessTable.SortKey, KeyType.RANGE)],
            AttributeDefinitions = [new(AccessTable.PartitionKey, ScalarAttributeType.S), new(AccessTable.SortKey, ScalarAttributeType.S)],
        });
        return name;
    }

    public static FakeTimeProvider Clock() => new(new DateTimeOffset(2026, 12, 2, 10, 15, 30, TimeSpan.Zero));

    public Task DisposeAsync()
    {
        Dynamo?.Dispose();
        Kms?.Dispose();
        Moto?.Dispose();
        return Task.CompletedTask;
    }
}
