using System.Security.Cryptography;
using System.Text;

namespace Capstan.Aws.Launch;

/// <summary>
/// The EC2 idempotency token of a node claim's launch: the same claim always gives the same token (ASCII, at most
/// 64 characters), so a retry or a restart that launches it again gets the first answer instead of a second instance.
/// </summary>
public static class ClientTokens
{
    public static string ForClaim(string clusterName, string claimName)
    {
        ArgumentNullException.ThrowIfNull(clusterName);
        ArgumentNullException.ThrowIfNull(claimName);
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(clusterName + "\n" + claimName));
        return "capstan-" + Convert.ToHexStringLower(digest.AsSpan(0, 24));
    }
}
