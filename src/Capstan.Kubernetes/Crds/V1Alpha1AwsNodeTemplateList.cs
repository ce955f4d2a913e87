using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Capstan.Kubernetes.Crds;

/// <summary>A list of <see cref="V1Alpha1AwsNodeTemplate"/>s, as the API server serves <c>awsnodetemplates</c>.</summary>
public sealed class V1Alpha1AwsNodeTemplateList : IKubernetesObject<V1ListMeta>, IItems<V1Alpha1AwsNodeTemplate>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = V1Alpha1AwsNodeTemplate.GroupVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = V1Alpha1AwsNodeTemplate.KindName + "List";

    [JsonPropertyName("metadata")]
    public V1ListMeta Metadata { get; set; } = new();

    [JsonPropertyName("items")]
    public IList<V1Alpha1AwsNodeTemplate> Items { get; set; } = [];
}
