using System.Text.Json.Nodes;
using Capstan.Webhook.Tests.Support;

namespace Capstan.Webhook.Tests;

/// <summary>Every rule of Karpenter v0.26.1's Provisioner validation (and its inline AWS provider): a failing and a passing case each.</summary>
public sealed class ValidateProvisionerTests(WebhookServer server) : IClassFixture<WebhookServer>
{
    private const string Base = """{"apiVersion":"karpenter.sh/v1alpha5","kind":"Provisioner","metadata":{"name":"default"},"spec":{"providerRef":{"name":"default"}}}""";

    /// <summary>rule, the fragment that breaks it, a fragment that honours it, the text the denial must contain.</summary>
    public static TheoryData<string, string, string, string> Rules => new()
    {
        { "1 metadata name", """{"metadata":{"name":"Bad_Name"}}""", """{"metadata":{"name":"good-name"}}""", "metadata.name: \"Bad_Name\" must be a lowercase RFC 1035 label" },
        { "1 name or generateName", """{"metadata":{"name":null}}""", """{"metadata":{"name":null,"generateName":"gen-"}}""", "metadata.name: name or generateName is required" },
        { "2 ttlSecondsUntilExpired", """{"spec":{"ttlSecondsUntilExpired":-1}}""", """{"spec":{"ttlSecondsUntilExpired":0}}""", "spec.ttlSecondsUntilExpired: must not be negative (got -1)" },
        { "3 ttlSecondsAfterEmpty", """{"spec":{"ttlSecondsAfterEmpty":-5}}""", """{"spec":{"ttlSecondsAfterEmpty":30}}""", "spec.ttlSecondsAfterEmpty: must not be negative (got -5)" },
        { "4 ttl and consolidation", """{"spec":{"ttlSecondsAfterEmpty":30,"consolidation":{"enabled":true}}}""", """{"spec":{"ttlSecondsAfterEmpty":30,"consolidation":{"enabled":false}}}""", "expected exactly one of ttlSecondsAfterEmpty and consolidation.enabled" },
        { "5 provider and providerRef", """{"spec":{"provider":{"instanceProfile":"p"}}}""", """{"spec":{"provider":{"instanceProfile":"p"},"providerRef":null}}""", "spec.provider: expected exactly one of provider and providerRef, got both" },
        { "5 neither provider", """{"spec":{"providerRef":null}}""", """{"spec":{}}""", "got neither" },
        { "5 providerRef name", """{"spec":{"providerRef":{"name":""}}}""", """{"spec":{"providerRef":{"name":"x"}}}""", "spec.providerRef.name: is required" },
        { "6 label provisioner-name", """{"spec":{"labels":{"karpenter.sh/provisioner-name":"x"}}}""", """{"spec":{"labels":{"intent":"apps"}}}""", "karpenter.sh/provisioner-name is set by Capstan" },
        { "6 label key qualified", """{"spec":{"labels":{"bad key!":"x"}}}""", """{"spec":{"labels":{"example.com/team":"x"}}}""", "key \"bad key!\" is not a qualified name" },
        { "6 label value", """{"spec":{"labels":{"intent":"-apps-"}}}""", """{"spec":{"labels":{"intent":"apps.v1"}}}""", "value \"-apps-\" is not a valid label value" },
        { "6 label restricted", """{"spec":{"labels":{"kubernetes.io/hostname":"x"}}}""", """{"spec":{"labels":{"node.kubernetes.io/pool":"x"}}}""", "is in a restricted label domain" },
        { "6 label restricted domain", """{"spec":{"labels":{"karpenter.k8s.aws/custom":"x"}}}""", """{"spec":{"labels":{"topology.kubernetes.io/zone":"us-east-1a"}}}""", "\"karpenter.k8s.aws/custom\" is in a restricted label domain" },
        { "7 taint key", """{"spec":{"taints":[{"key":"","effect":"NoSchedule"}]}}""", """{"spec":{"taints":[{"key":"dedicated","effect":"NoSchedule"}]}}""", "spec.taints[0].key: is required" },
        { "7 taint value", """{"spec":{"taints":[{"key":"k","value":"a b","effect":"NoSchedule"}]}}""", """{"spec":{"taints":[{"key":"k","value":"gpu","effect":"NoSchedule"}]}}""", "spec.taints[0].value: \"a b\" is not a qualified name" },
        { "7 taint effect", """{"spec":{"taints":[{"key":"k","effect":"Sometimes"}]}}""", """{"spec":{"taints":[{"key":"k"}]}}""", "spec.taints[0].effect: \"Sometimes\" is not a taint effect" },
        { "7 taint duplicate", """{"spec":{"taints":[{"key":"k","effect":"NoSchedule"}],"startupTaints":[{"key":"k","value":"v","effect":"NoSchedule"}]}}""", """{"spec":{"taints":[{"key":"k","effect":"NoSchedule"}],"startupTaints":[{"key":"k","effect":"NoExecute"}]}}""", "spec.startupTaints[0]: duplicates taints[0]" },
        { "8 requirement provisioner-name", """{"spec":{"requirements":[{"key":"karpenter.sh/provisioner-name","operator":"In","values":["a"]}]}}""", """{"spec":{"requirements":[{"key":"karpenter.sh/capacity-type","operator":"In","values":["spot"]}]}}""", "spec.requirements[0].key: karpenter.sh/provisioner-name is set by Capstan" },
        { "8b operator", """{"spec":{"requirements":[{"key":"intent","operator":"Equals","values":["a"]}]}}""", """{"spec":{"requirements":[{"key":"intent","operator":"NotIn","values":[]}]}}""", "spec.requirements[0].operator (intent): \"Equals\" is not a supported operator" },
        { "8c restricted key", """{"spec":{"requirements":[{"key":"kubernetes.io/hostname","operator":"Exists"}]}}""", """{"spec":{"requirements":[{"key":"failure-domain.beta.kubernetes.io/zone","operator":"In","values":["us-east-1a"]}]}}""", "\"kubernetes.io/hostname\" is in a restricted label domain" },
        { "8d qualified key", """{"spec":{"requirements":[{"key":"a/b/c","operator":"Exists"}]}}""", """{"spec":{"requirements":[{"key":"example.com/c","operator":"DoesNotExist"}]}}""", "\"a/b/c\" is not a qualified name" },
        { "8e values", """{"spec":{"requirements":[{"key":"intent","operator":"In","values":["ok","not ok"]}]}}""", """{"spec":{"requirements":[{"key":"intent","operator":"In","values":["ok"]}]}}""", "spec.requirements[0].values[1] (intent): \"not ok\" is not a valid label value" },
        { "8f In needs values", """{"spec":{"requirements":[{"key":"intent","operator":"In","values":[]}]}}""", """{"spec":{"requirements":[{"key":"intent","operator":"Exists"}]}}""", "spec.requirements[0] (intent): operator In needs at least one value" },
        { "8g Gt integer", """{"spec":{"requirements":[{"key":"karpenter.k8s.aws/instance-cpu","operator":"Gt","values":["-1"]}]}}""", """{"spec":{"requirements":[{"key":"karpenter.k8s.aws/instance-cpu","operator":"Gt","values":["4"]}]}}""", "spec.requirements[0] (karpenter.k8s.aws/instance-cpu): operator Gt needs a single positive integer" },
        { "8g Gt names key and index", """{"spec":{"requirements":[{"key":"intent","operator":"Exists"},{"key":"karpenter.k8s.aws/instance-generation","operator":"Gt","values":["new"]}]}}""", """{"spec":{"requirements":[{"key":"intent","operator":"Exists"},{"key":"karpenter.k8s.aws/instance-generation","operator":"Gt","values":["4"]}]}}""", "spec.requirements[1] (karpenter.k8s.aws/instance-generation): operator Gt needs a single positive integer" },
        { "8g Lt single", """{"spec":{"requirements":[{"key":"karpenter.k8s.aws/instance-cpu","operator":"Lt","values":["4","8"]}]}}""", """{"spec":{"requirements":[{"key":"karpenter.k8s.aws/instance-cpu","operator":"Lt","values":["8"]}]}}""", "spec.requirements[0] (karpenter.k8s.aws/instance-cpu): operator Lt needs a single positive integer" },
        { "9 evictionHard signal", """{"spec":{"kubeletConfiguration":{"evictionHard":{"memory.free":"5%"}}}}""", """{"spec":{"kubeletConfiguration":{"evictionHard":{"memory.available":"5%"}}}}""", "spec.kubeletConfiguration.evictionHard[\"memory.free\"]: \"memory.free\" is not a supported eviction signal" },
        { "9 evictionHard percent", """{"spec":{"kubeletConfiguration":{"evictionHard":{"nodefs.available":"120%"}}}}""", """{"spec":{"kubeletConfiguration":{"evictionHard":{"nodefs.available":"10%"}}}}""", "\"120%\" is not a percentage between 0% and 100%" },
        { "9 evictionSoft quantity", """{"spec":{"kubeletConfiguration":{"evictionSoft":{"memory.available":"lots"},"evictionSoftGracePeriod":{"memory.available":"1m"}}}}""", """{"spec":{"kubeletConfiguration":{"evictionSoft":{"memory.available":"500Mi"},"evictionSoftGracePeriod":{"memory.available":"1m30s"}}}}""", "\"lots\" is neither a percentage nor a quantity" },
        { "9 reserved key", """{"spec":{"kubeletConfiguration":{"kubeReserved":{"gpu":"1"}}}}""", """{"spec":{"kubeletConfiguration":{"kubeReserved":{"cpu":"100m"}}}}""", "spec.kubeletConfiguration.kubeReserved[\"gpu\"]: \"gpu\" cannot be reserved" },
        { "9 reserved negative", """{"spec":{"kubeletConfiguration":{"systemReserved":{"memory":"-1Gi"}}}}""", """{"spec":{"kubeletConfiguration":{"systemReserved":{"memory":"1Gi"}}}}""", "spec.kubeletConfiguration.systemReserved[\"memory\"]: must not be negative" },
        { "9 imageGC order", """{"spec":{"kubeletConfiguration":{"imageGCHighThresholdPercent":50,"imageGCLowThresholdPercent":60}}}""", """{"spec":{"kubeletConfiguration":{"imageGCHighThresholdPercent":85,"imageGCLowThresholdPercent":80}}}""", "must not be below imageGCLowThresholdPercent" },
        { "9 grace period signal", """{"spec":{"kubeletConfiguration":{"evictionSoftGracePeriod":{"cpu.available":"1m"}}}}""", """{"spec":{"kubeletConfiguration":{"evictionSoftGracePeriod":{"memory.available":"1m"},"evictionSoft":{"memory.available":"1Gi"}}}}""", "evictionSoftGracePeriod[\"cpu.available\"]: \"cpu.available\" is not a supported eviction signal" },
        { "9 soft needs grace", """{"spec":{"kubeletConfiguration":{"evictionSoft":{"memory.available":"1Gi"}}}}""", """{"spec":{"kubeletConfiguration":{"evictionSoft":{"memory.available":"1Gi"},"evictionSoftGracePeriod":{"memory.available":"2m"}}}}""", "evictionSoft[\"memory.available\"]: needs a matching evictionSoftGracePeriod" },
        { "9 grace needs soft", """{"spec":{"kubeletConfiguration":{"evictionSoftGracePeriod":{"memory.available":"1m"}}}}""", """{"spec":{"kubeletConfiguration":{}}}""", "has no matching evictionSoft[\"memory.available\"] threshold" },
        { "10 weight", """{"spec":{"weight":101}}""", """{"spec":{"weight":100}}""", "spec.weight: must be between 1 and 100 (got 101)" },
        { "10 weight zero", """{"spec":{"weight":0}}""", """{"spec":{"weight":1}}""", "spec.weight: must be between 1 and 100 (got 0)" },
        { "10 maxPods", """{"spec":{"kubeletConfiguration":{"maxPods":-1}}}""", """{"spec":{"kubeletConfiguration":{"maxPods":110}}}""", "spec.kubeletConfiguration.maxPods: must not be negative" },
        { "10 podsPerCore", """{"spec":{"kubeletConfiguration":{"podsPerCore":-2}}}""", """{"spec":{"kubeletConfiguration":{"podsPerCore":0}}}""", "spec.kubeletConfiguration.podsPerCore: must not be negative" },
        { "10 imageGC range", """{"spec":{"kubeletConfiguration":{"imageGCLowThresholdPercent":101}}}""", """{"spec":{"kubeletConfiguration":{"imageGCLowThresholdPercent":100,"imageGCHighThresholdPercent":100}}}""", "imageGCLowThresholdPercent: must be between 0 and 100" },
        { "10 limits quantity", """{"spec":{"limits":{"resources":{"cpu":"-4"}}}}""", """{"spec":{"limits":{"resources":{"cpu":1000,"memory":"1000Gi"}}}}""", "spec.limits.resources[\"cpu\"]: must not be negative" },
        { "10 limits tiny negative", """{"spec":{"limits":{"resources":{"cpu":"-1n"}}}}""", """{"spec":{"limits":{"resources":{"cpu":"1n"}}}}""", "spec.limits.resources[\"cpu\"]: must not be negative (got -1n)" },
        { "10 limits inner space", """{"spec":{"limits":{"resources":{"memory":"1 Gi"}}}}""", """{"spec":{"limits":{"resources":{"memory":"1Gi"}}}}""", "spec.limits.resources[\"memory\"]: \"1 Gi\" is not a quantity: expected a number" },
        { "10 limits huge quantities", """{"spec":{"limits":{"resources":{"cpu":"1K"}}}}""", """{"spec":{"limits":{"resources":{"cpu":"1e3","memory":"10000000Gi","ephemeral-storage":"9223372036854775808"}}}}""", "spec.limits.resources[\"cpu\"]: \"1K\" is not a quantity: unknown suffix 'K'" },
        { "provider unknown field", """{"spec":{"providerRef":null,"provider":{"instanceProfile":"p","subnetSelectr":{"a":"b"}}}}""", """{"spec":{"providerRef":null,"provider":{"instanceProfile":"p","subnetSelector":{"a":"b"}}}}""", "spec.provider.subnetSelectr: unknown field \"subnetSelectr\"" },
        { "provider wrong type", """{"spec":{"providerRef":null,"provider":{"tags":{"team":5}}}}""", """{"spec":{"providerRef":null,"provider":{"tags":{"team":"5"}}}}""", "spec.provider.tags[\"team\"]: must be a string, not the number 5" },
        { "provider rules", """{"spec":{"providerRef":null,"provider":{"launchTemplate":"lt","amiFamily":"AL2"}}}""", """{"spec":{"providerRef":null,"provider":{"launchTemplate":"lt"}}}""", "spec.provider.amiFamily: cannot be combined with launchTemplate" },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public async Task Validate_Rule_DeniesBreakingAndAdmitsHonouringObject(string rule, string breaking, string honouring, string expected)
    {
        var denied = await server.ReviewAsync("/webhook/validate", Reviews.Request(Merge(Base, breaking)));
        var admitted = await server.ReviewAsync("/webhook/validate", Reviews.Request(Merge(Base, honouring)));

        Assert.False(denied["allowed"]!.GetValue<bool>(), rule);
        Assert.Equal(422, denied["status"]!["code"]!.GetValue<int>());
        Assert.Equal("Invalid", denied["status"]!["reason"]!.GetValue<string>());
        Assert.Contains(expected, denied["status"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(admitted["allowed"]!.GetValue<bool>(), $"{rule}: {admitted["status"]?["message"]}");
    }

    [Theory]
    [InlineData("provisioner-on-demand-apps.yaml")]
    [InlineData("provisioner-spot-apps.yaml")]
    [InlineData("provisioner-spot-discovery.yaml")]
    [InlineData("provisioner-inline-provider.yaml")]
    public async Task Validate_TutorialExamples_AreAdmitted(string file)
    {
        foreach (var obj in Manifests.Load(Path.Combine(Manifests.Examples, file)))
        {
            var response = await server.ReviewAsync("/webhook/validate", Reviews.Request(obj));

            Assert.True(response["allowed"]!.GetValue<bool>(), response["status"]?["message"]?.GetValue<string>());
        }
    }

    [Fact]
    public async Task Validate_InlineProvider_IsAdmittedWithDeprecationWarning()
    {
        var provisioner = Manifests.One(Path.Combine(Manifests.Examples, "provisioner-inline-provider.yaml"), "Provisioner");

        var response = await server.ReviewAsync("/webhook/validate", Reviews.Request(provisioner));

        var warnings = response["warnings"]!.AsArray().Select(w => w!.GetValue<string>()).ToList();
        Assert.Contains(AdmissionReviewer.ProviderDeprecation, warnings);
        Assert.Contains(AdmissionReviewer.ProviderDiscovery, warnings);
        Assert.All(warnings, w => Assert.True(w.Length <= 120, w));
    }

    [Fact]
    public async Task Validate_ManyViolations_ListsEveryOneInOneMessage()
    {
        var provisioner = Merge(Base, """
            {"metadata":{"name":"Bad"},"spec":{"ttlSecondsAfterEmpty":-1,"ttlSecondsUntilExpired":-1,"weight":500,
             "labels":{"karpenter.sh/provisioner-name":"x"},
             "requirements":[{"key":"intent","operator":"In","values":[]}]}}
            """);

        var response = await server.ReviewAsync("/webhook/validate", Reviews.Request(provisioner, operation: "UPDATE"));

        var message = response["status"]!["message"]!.GetValue<string>();
        Assert.StartsWith("Provisioner \"Bad\" is invalid (6 problems): ", message, StringComparison.Ordinal);
        foreach (var field in new[] { "metadata.name", "spec.ttlSecondsAfterEmpty", "spec.ttlSecondsUntilExpired", "spec.weight", "spec.labels[", "spec.requirements[0] (intent)" })
        {
            Assert.Contains(field, message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Validate_Delete_IsAllowed()
    {
        var response = await server.ReviewAsync("/webhook/validate", Reviews.Request(null, operation: "DELETE", oldObject: JsonNode.Parse(Base)));

        Assert.True(response["allowed"]!.GetValue<bool>());
        Assert.False(response.ContainsKey("status"));
    }

    [Fact]
    public async Task Validate_ObjectOfWrongShape_IsDeniedWith400()
    {
        var response = await server.ReviewAsync("/webhook/validate", Reviews.Request(Merge(Base, """{"spec":{"ttlSecondsAfterEmpty":"soon"}}""")));

        Assert.False(response["allowed"]!.GetValue<bool>());
        Assert.Equal(400, response["status"]!["code"]!.GetValue<int>());
        var message = response["status"]!["message"]!.GetValue<string>();
        Assert.EndsWith("the object does not decode: spec.ttlSecondsAfterEmpty: the value is not of the type this field takes", message, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", message, StringComparison.Ordinal);
    }

    /// <summary>Deep-merges a fragment into a JSON object; null removes a member.</summary>
    internal static JsonNode Merge(string baseJson, string fragment)
    {
        var target = JsonNode.Parse(baseJson)!.AsObject();
        MergeInto(target, JsonNode.Parse(fragment)!.AsObject());
        return target;
    }

    private static void MergeInto(JsonObject target, JsonObject patch)
    {
        foreach (var (key, value) in patch.ToList())
        {
            if (value is null)
            {
                target.Remove(key);
            }
            else if (value is JsonObject o && target[key] is JsonObject existing)
            {
                MergeInto(existing, o);
            }
            else
            {
                target[key] = value.DeepClone();
            }
        }
    }
}
