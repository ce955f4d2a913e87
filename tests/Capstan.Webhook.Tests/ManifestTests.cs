using System.Text.Json.Nodes;
using Capstan.Webhook.Tests.Support;

namespace Capstan.Webhook.Tests;

/// <summary>Every manifest under manifests/ parses; the CRD schemas are structural and accept every example.</summary>
public sealed class ManifestTests
{
    private static readonly string s_manifests = Path.Combine(Manifests.Root, "manifests");

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(s_manifests, "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(s_manifests, file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Manifest_EveryDocument_HasApiVersionKindAndName(string file)
    {
        var documents = Manifests.Load(Path.Combine(s_manifests, file));

        Assert.NotEmpty(documents);
        foreach (var doc in documents)
        {
            Assert.False(string.IsNullOrEmpty(doc["apiVersion"]?.GetValue<string>()), file);
            Assert.False(string.IsNullOrEmpty(doc["kind"]?.GetValue<string>()), file);
            // Component configuration files (kustomize, kube-scheduler) are not API objects and have no metadata.
            if (doc["kind"]!.GetValue<string>() is not ("Kustomization" or "KubeSchedulerConfiguration"))
            {
                Assert.False(string.IsNullOrEmpty(doc["metadata"]?["name"]?.GetValue<string>()), file);
            }
        }
    }

    [Fact]
    public void Kustomization_ListsEveryManifestOutsideScheduler()
    {
        var kustomization = Manifests.Load(Path.Combine(s_manifests, "kustomization.yaml")).Single();
        var listed = kustomization["resources"]!.AsArray().Select(r => r!.GetValue<string>()).ToHashSet();

        foreach (var file in Directory.EnumerateFiles(s_manifests, "*.yaml", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(s_manifests, file).Replace('\\', '/');
            if (relative is "kustomization.yaml" || relative.StartsWith("scheduler/", StringComparison.Ordinal))
            {
                continue;
            }

            Assert.Contains(relative, listed);
        }
    }

    [Theory]
    [InlineData("karpenter.sh_provisioners.yaml", "karpenter.sh", "Provisioner")]
    [InlineData("karpenter.k8s.aws_awsnodetemplates.yaml", "karpenter.k8s.aws", "AWSNodeTemplate")]
    public void Crd_Schema_IsStructuralWithStatusSubresource(string file, string group, string kind)
    {
        var crd = Manifests.Load(Path.Combine(s_manifests, "crds", file)).Single();

        Assert.Equal("apiextensions.k8s.io/v1", crd["apiVersion"]!.GetValue<string>());
        Assert.Equal(group, crd["spec"]!["group"]!.GetValue<string>());
        Assert.Equal(kind, crd["spec"]!["names"]!["kind"]!.GetValue<string>());
        var version = crd["spec"]!["versions"]!.AsArray().Single()!;
        Assert.NotNull(version["subresources"]!["status"]);
        Assert.Empty(StructuralSchema.Violations(version["schema"]!["openAPIV3Schema"]!.AsObject()));
    }

    [Fact]
    public void Crd_ProviderBlock_IsTheOnlyPreservedUnknownField()
    {
        var crd = Manifests.Load(Path.Combine(s_manifests, "crds", "karpenter.sh_provisioners.yaml")).Single();
        var json = crd.ToJsonString();

        Assert.Single(System.Text.RegularExpressions.Regex.Matches(json, "x-kubernetes-preserve-unknown-fields"));
        Assert.True(Schema("karpenter.sh_provisioners.yaml")["properties"]!["spec"]!["properties"]!["provider"]!["x-kubernetes-preserve-unknown-fields"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData("provisioner-on-demand-apps.yaml")]
    [InlineData("provisioner-spot-apps.yaml")]
    [InlineData("provisioner-spot-discovery.yaml")]
    [InlineData("provisioner-inline-provider.yaml")]
    public void Crd_Schema_AcceptsEveryExample(string file)
    {
        foreach (var obj in Manifests.Load(Path.Combine(Manifests.Examples, file)))
        {
            var schema = obj["kind"]!.GetValue<string>() == "Provisioner"
                ? Schema("karpenter.sh_provisioners.yaml")
                : Schema("karpenter.k8s.aws_awsnodetemplates.yaml");

            Assert.Empty(StructuralSchema.Validate(schema, obj));
        }
    }

    [Theory]
    [InlineData("""{"spec":{"weight":0}}""", ".spec.weight: 0 is below the minimum 1")]
    [InlineData("""{"spec":{"requirements":[{"key":"a","operator":"Equals"}]}}""", ".spec.requirements[0].operator")]
    [InlineData("""{"spec":{"limits":{"resources":{"cpu":"lots"}}}}""", "does not match")]
    [InlineData("""{"spec":{"ttlSecondsAfterEmpty":"30"}}""", "must be of type integer")]
    [InlineData("""{"spec":{"labelz":{}}}""", ".spec.labelz: unknown field")]
    [InlineData("""{"spec":{"kubeletConfiguration":{"imageGCHighThresholdPercent":101}}}""", "above the maximum 100")]
    public void Crd_Schema_RejectsOutOfRangeAndMistypedFields(string fragment, string expected)
    {
        var obj = ValidateProvisionerTests.Merge("""{"apiVersion":"karpenter.sh/v1alpha5","kind":"Provisioner","metadata":{"name":"p"},"spec":{"providerRef":{"name":"d"}}}""", fragment);

        var errors = StructuralSchema.Validate(Schema("karpenter.sh_provisioners.yaml"), obj);

        Assert.Contains(errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Webhooks_FollowTheAdmissionPolicy()
    {
        var documents = Manifests.Load(Path.Combine(s_manifests, "webhooks.yaml"));
        var hooks = documents.SelectMany(d => d["webhooks"]!.AsArray().Select(h => h!.AsObject())).ToList();

        Assert.Equal(3, hooks.Count);
        foreach (var hook in hooks)
        {
            Assert.Equal("None", hook["sideEffects"]!.GetValue<string>());
            Assert.Equal(10, hook["timeoutSeconds"]!.GetValue<long>());
            Assert.Equal("""["v1"]""", hook["admissionReviewVersions"]!.ToJsonString());
            var path = hook["clientConfig"]!["service"]!["path"]!.GetValue<string>();
            Assert.Equal(path == "/webhook/validate/pods" ? "Ignore" : "Fail", hook["failurePolicy"]!.GetValue<string>());
        }
    }

    [Fact]
    public void Deployment_RunsTwoReplicasOfServe()
    {
        var deployment = Manifests.Load(Path.Combine(s_manifests, "deployment.yaml")).First(d => d["kind"]!.GetValue<string>() == "Deployment");

        Assert.Equal(2, deployment["spec"]!["replicas"]!.GetValue<long>());
        Assert.Equal("""["serve"]""", deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["args"]!.ToJsonString());
    }

    private static JsonObject Schema(string file) =>
        Manifests.Load(Path.Combine(s_manifests, "crds", file)).Single()["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!.AsObject();
}
