namespace Capstan.Controllers.Disruption;

/// <summary>Reading a Node's <c>spec.providerID</c> (<c>aws:///us-east-1a/i-0123456789abcdef0</c>).</summary>
internal static class ProviderIds
{
    /// <summary>The instance id: what follows the last slash (the whole text when there is none).</summary>
    public static string InstanceId(string providerId) => providerId[(providerId.LastIndexOf('/') + 1)..];
}
