using System.Security.Cryptography;

namespace Capstan.Controllers.Provisioning;

/// <summary>
/// Durable names for node claims: <c>&lt;provisioner&gt;-&lt;10 random letters and digits&gt;</c>, unique across
/// batches, replicas and restarts. The launch's idempotency token and the instance's tags derive from it.
/// </summary>
public static class ClaimNames
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

    public static string New(string provisioner)
    {
        ArgumentNullException.ThrowIfNull(provisioner);
        return provisioner + "-" + RandomNumberGenerator.GetString(Alphabet, 10);
    }
}
