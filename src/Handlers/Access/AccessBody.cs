using AwsModelPlatform.Handlers.Hosting;

namespace AwsModelPlatform.Handlers.Access;

/// <summary>Reads a small JSON body whole, refusing one over its limit (413) before reading further.</summary>
internal static class AccessBody
{
    public static async Task<byte[]> ReadAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit) throw Problems.PayloadTooLarge(limit);
        var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit) throw Problems.PayloadTooLarge(limit);
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
