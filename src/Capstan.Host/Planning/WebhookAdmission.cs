using System.Text.Json;
using Capstan.Kubernetes.Crds;
using Capstan.Kubernetes.Manifests;
using Capstan.Webhook.Defaulting;
using Capstan.Webhook.Validation;
using FluentValidation.Results;

namespace Capstan.Host.Planning;

/// <summary>
/// The admission webhook's own defaulting (<see cref="ProvisionerDefaulter"/>) and validation
/// (<see cref="ProvisionerValidator"/>, <see cref="AwsNodeTemplateValidator"/>) for the manifests <c>capstan plan</c>
/// reads: what the cluster would refuse is refused here too.
/// </summary>
internal sealed class WebhookAdmission : IManifestAdmission
{
    private static readonly string s_provisioner = $"{V1Alpha5Provisioner.GroupVersion}/{V1Alpha5Provisioner.KindName}";
    private static readonly string s_nodeTemplate = $"{V1Alpha1AwsNodeTemplate.GroupVersion}/{V1Alpha1AwsNodeTemplate.KindName}";

    private readonly ProvisionerValidator _provisioners = new();
    private readonly AwsNodeTemplateValidator _nodeTemplates = new();

    public bool Reviews(string typeKey) => typeKey == s_provisioner || typeKey == s_nodeTemplate;

    public string ApplyDefaults(string typeKey, string json)
    {
        if (typeKey != s_provisioner)
        {
            return json;
        }

        using var document = JsonDocument.Parse(json);
        return ProvisionerDefaulter.Apply(document.RootElement).ToJsonString();
    }

    public IReadOnlyList<string> Validate(object manifestObject) => manifestObject switch
    {
        V1Alpha5Provisioner p => Violations(_provisioners.Validate(p)),
        V1Alpha1AwsNodeTemplate t => Violations(_nodeTemplates.Validate(t)),
        _ => [],
    };

    private static List<string> Violations(ValidationResult result) =>
        [.. result.Errors.Select(f => string.IsNullOrEmpty(f.PropertyName) ? f.ErrorMessage : $"{f.PropertyName.TrimStart('.')}: {f.ErrorMessage}")];
}
