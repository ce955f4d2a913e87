using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Capstan.Kubernetes.Crds;

/// <summary>The list the API server answers for <c>GET /apis/karpenter.sh/v1alpha5/provisioners</c>.</summary>
public sealed class V1Alpha5ProvisionerList : IKubernetesObject<V1ListMeta>, IItems<V1Alpha5Provisioner>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = V1Alpha5Provisioner.GroupVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = V1Alpha5Provisioner.KindName + "List";

    [JsonPropertyName("metadata")]
    public V1ListMeta Metadata { get; set; } = new();

    [JsonPropertyName("items")]
    public IList<V1Alpha5Provisioner> Items { get; set; } = [];
}
