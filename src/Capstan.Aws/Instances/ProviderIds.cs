using System.Diagnostics.CodeAnalysis;

namespace Capstan.Aws.Instances;

/// <summary>The Node's <c>spec.providerID</c> on AWS: <c>aws:///&lt;zone&gt;/&lt;instance-id&gt;</c>.</summary>
public static class ProviderIds
{
    public static string For(string zone, string instanceId) => $"aws:///{zone}/{instanceId}";

    /// <summary>The instance id of a providerID (<c>aws:///us-east-1a/i-0abc</c>, also <c>aws://us-east-1a/i-0abc</c>).</summary>
    public static bool TryParse(string? providerId, [NotNullWhen(true)] out string? instanceId)
    {
        instanceId = null;
        if (providerId is null || !providerId.StartsWith("aws://", StringComparison.Ordinal))
        {
            return false;
        }

        var last = providerId[(providerId.LastIndexOf('/') + 1)..];
        if (!last.StartsWith("i-", StringComparison.Ordinal) || last.Length < 3)
        {
            return false;
        }

        instanceId = last;
        return true;
    }
}
