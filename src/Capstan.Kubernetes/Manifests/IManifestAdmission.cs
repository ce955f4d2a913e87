namespace Capstan.Kubernetes.Manifests;

/// <summary>
/// How the reader defaults and validates the objects an admission webhook would see (Provisioners and
/// AWSNodeTemplates): <c>capstan plan</c> plugs in the webhook's own defaulting and validation.
/// </summary>
public interface IManifestAdmission
{
    /// <summary>Whether objects of this <c>apiVersion/kind</c> go through admission.</summary>
    bool Reviews(string typeKey);

    /// <summary>The object's JSON as the mutating webhook would leave it.</summary>
    string ApplyDefaults(string typeKey, string json);

    /// <summary>Every violation the validating webhook would name (<c>path: problem</c>); empty when it would admit the object.</summary>
    IReadOnlyList<string> Validate(object manifestObject);
}
