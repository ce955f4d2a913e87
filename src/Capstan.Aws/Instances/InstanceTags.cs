namespace Capstan.Aws.Instances;

/// <summary>The tags Capstan puts on what it launches (Karpenter v0.26.1's defaults), and reads back to recognise it.</summary>
public static class InstanceTags
{
    public const string ProvisionerName = "karpenter.sh/provisioner-name";

    /// <summary>The node claim an instance was launched for.</summary>
    public const string NodeClaim = "capstan.dev/node-claim";

    public const string Name = "Name";

    /// <summary><c>kubernetes.io/cluster/&lt;cluster&gt;</c>, value <c>owned</c>.</summary>
    public static string Cluster(string clusterName) => "kubernetes.io/cluster/" + clusterName;

    /// <summary>
    /// The tags of an instance, its volumes and its fleet: the provisioner, the cluster's ownership and a Name, then
    /// the template's tags (which override these), then the claim (which Capstan needs to find the instance again).
    /// </summary>
    public static IReadOnlyDictionary<string, string> For(string clusterName, string provisionerName, IReadOnlyDictionary<string, string> templateTags, string? claimName)
    {
        ArgumentNullException.ThrowIfNull(templateTags);
        var tags = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ProvisionerName] = provisionerName,
            [Cluster(clusterName)] = "owned",
            [Name] = $"{ProvisionerName}/{provisionerName}",
        };
        foreach (var (key, value) in templateTags)
        {
            tags[key] = value;
        }

        if (claimName is not null)
        {
            tags[NodeClaim] = claimName;
        }

        return tags;
    }
}
