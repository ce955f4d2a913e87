namespace Capstan.Host.Options;

/// <summary>The cloud behind the controllers (<c>--cloud-provider</c>).</summary>
public enum CloudProviderKind
{
    /// <summary>EC2 through the AWS SDK (the default).</summary>
    Aws,

    /// <summary>No cloud: the webhook and the extender only.</summary>
    None,
}
