using System.Security.Cryptography;
using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace AwsModelPlatform.Handlers.Access;

/// <summary>
/// The keyed hash stored for an API key: HMAC-SHA-256 in AWS KMS with an HMAC key (<c>KeySpec HMAC_256</c>), so the
/// hashing key never leaves KMS and a copy of the table is no use for guessing keys offline
/// (https://docs.aws.amazon.com/kms/latest/developerguide/hmac.html). The message binds the key id to the secret, so a
/// stored hash cannot be moved to another key's record.
/// </summary>
public sealed class KeyMac(IAmazonKeyManagementService kms, string hmacKeyId)
{
    /// <summary>The MAC of <paramref name="key"/>.</summary>
    public async Task<byte[]> ComputeAsync(ApiKey key, CancellationToken cancellationToken)
    {
        var response = await kms.GenerateMacAsync(new GenerateMacRequest
        {
            KeyId = hmacKeyId,
            MacAlgorithm = MacAlgorithmSpec.HMAC_SHA_256,
            Message = new MemoryStream(Encoding.ASCII.GetBytes($"{key.KeyId}:{key.Secret}")),
        }, cancellationToken);
        return response.Mac.ToArray();
    }

    /// <summary>Whether <paramref name="key"/> hashes to <paramref name="stored"/>, compared in constant time.</summary>
    public async Task<bool> MatchesAsync(ApiKey key, byte[] stored, CancellationToken cancellationToken) =>
        CryptographicOperations.FixedTimeEquals(await ComputeAsync(key, cancellationToken), stored);
}
