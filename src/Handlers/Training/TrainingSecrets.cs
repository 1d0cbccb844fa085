using System.Security.Cryptography;
using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace AwsModelPlatform.Handlers.Training;

/// <summary>
/// Job secrets: each value is encrypted with KMS (<c>Training:KeyId</c>) under an encryption context that binds it to one job
/// submission and one variable (<see cref="JobSecretContext"/>), so a ciphertext decrypts only for that job and that
/// name. Plaintext stays in memory.
/// </summary>
internal sealed class TrainingSecrets(IAmazonKeyManagementService kms, TrainingCatalog catalog)
{
    /// <summary>name → base64 ciphertext blob.</summary>
    public async Task<SortedDictionary<string, string>> EncryptAsync(string jobName, string submissionId, IReadOnlyDictionary<string, string> secrets, CancellationToken ct)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in secrets)
        {
            var plaintext = Encoding.UTF8.GetBytes(value);
            try
            {
                using var input = new MemoryStream(plaintext, writable: false);
                var encrypted = await kms.EncryptAsync(new EncryptRequest
                {
                    KeyId = catalog.KeyId,
                    Plaintext = input,
                    EncryptionContext = JobSecretContext.For(jobName, submissionId, name),
                }, ct);
                result[name] = Convert.ToBase64String(encrypted.CiphertextBlob.ToArray());
            }
            finally
            {
                CryptographicOperations.ZeroMemory(plaintext);
            }
        }
        return result;
    }

    /// <summary>Whether the stored ciphertexts hold exactly these values (decrypted under their contexts, compared in constant time).</summary>
    public async Task<bool> MatchAsync(string jobName, string submissionId, IReadOnlyDictionary<string, string> stored, IReadOnlyDictionary<string, string> secrets, CancellationToken ct)
    {
        if (stored.Count != secrets.Count) return false;
        foreach (var (name, value) in secrets)
        {
            if (!stored.TryGetValue(name, out var blob)) return false;
            using var input = new MemoryStream(Convert.FromBase64String(blob), writable: false);
            var decrypted = await kms.DecryptAsync(new DecryptRequest
            {
                KeyId = catalog.KeyId,
                CiphertextBlob = input,
                EncryptionContext = JobSecretContext.For(jobName, submissionId, name),
            }, ct);
            var plain = decrypted.Plaintext.ToArray();
            var given = Encoding.UTF8.GetBytes(value);
            try
            {
                if (!CryptographicOperations.FixedTimeEquals(plain, given)) return false;
            }
            finally
            {
                CryptographicOperations.ZeroMemory(plain);
                CryptographicOperations.ZeroMemory(given);
            }
        }
        return true;
    }
}
