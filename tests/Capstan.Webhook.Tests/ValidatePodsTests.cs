using System.Text.Json.Nodes;
using Capstan.Core.Cluster;
using Capstan.Core.Provisioning;
using Capstan.Core.Scheduling;
using Capstan.Webhook.Tests.Support;

namespace Capstan.Webhook.Tests;

public sealed class ValidatePodsTests : IClassFixture<WebhookServer>
{
    private readonly WebhookServer _server;

    public ValidatePodsTests(WebhookServer server)
    {
        _server = server;
        server.Cluster.ProvisionerList.Clear();
        server.Cluster.NodeList.Clear();
        server.Cluster.ProvisionerList.Add(new Provisioner
        {
            Name = "default",
            Labels = new Dictionary<string, string> { ["intent"] = "apps" },
            Requirements = Requirements.Create(Requirement.In(Labels.CapacityType, "on-demand")),
        });
        server.Cluster.ProvisionerList.Add(new Provisioner
        {
            Name = "gpu",
            Labels = new Dictionary<string, string> { ["intent"] = "ml" },
            Taints = [new Taint("nvidia.com/gpu", "true", TaintEffect.NoSchedule)],
        });
    }

    [Fact]
    public async Task ValidatePods_InflateDeploymentMatchingAProvisioner_IsAllowedWithoutWarning()
    {
        var deployment = Manifests.One(Path.Combine(Manifests.Examples, "inflate.yaml"), "Deployment");

        var response = await _server.ReviewAsync("/webhook/validate/pods", Reviews.Request(deployment));

        Assert.True(response["allowed"]!.GetValue<bool>());
        Assert.False(response.ContainsKey("warnings"));
    }

    [Fact]
    public async Task ValidatePods_NodeSelectorNoProvisionerOffers_WarnsNamingClosestAndKey()
    {
        var deployment = Manifests.One(Path.Combine(Manifests.Examples, "inflate.yaml"), "Deployment");
        deployment["spec"]!["template"]!["spec"]!["nodeSelector"] = new JsonObject { ["intent"] = "web" };

        var response = await _server.ReviewAsync("/webhook/validate/pods", Reviews.Request(deployment));

        Assert.True(response["allowed"]!.GetValue<bool>());
        var warnings = string.Join("\n", response["warnings"]!.AsArray().Select(w => w!.GetValue<string>()));
        Assert.Contains("closest is \"default\"", warnings, StringComparison.Ordinal);
        Assert.Contains("intent", warnings, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ValidatePods_PodNotToleratingTheOnlyMatchingTaint_WarnsAboutTheTaint()
    {
        var pod = JsonNode.Parse("""
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"trainer","namespace":"ml"},
             "spec":{"nodeSelector":{"intent":"ml"},"containers":[{"name":"c","image":"x","resources":{"requests":{"cpu":"1"}}}]}}
            """)!;

        var response = await _server.ReviewAsync("/webhook/validate/pods", Reviews.Request(pod));

        var warnings = string.Join("\n", response["warnings"]!.AsArray().Select(w => w!.GetValue<string>()));
        Assert.Contains("Provisioner \"gpu\": taint nvidia.com/gpu=true:NoSchedule is not tolerated (key nvidia.com/gpu)", warnings, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ValidatePods_TolerationAndRequiredAffinity_AreHonoured()
    {
        var pod = JsonNode.Parse("""
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"trainer","namespace":"ml"},
             "spec":{"tolerations":[{"key":"nvidia.com/gpu","operator":"Exists","effect":"NoSchedule"}],
              "affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[
                {"matchExpressions":[{"key":"intent","operator":"In","values":["nope"]}]},
                {"matchExpressions":[{"key":"intent","operator":"In","values":["ml"]}]}]}}},
              "containers":[{"name":"c","image":"x"}]}}
            """)!;

        var response = await _server.ReviewAsync("/webhook/validate/pods", Reviews.Request(pod));

        Assert.False(response.ContainsKey("warnings"), response.ToJsonString());
    }

    [Fact]
    public async Task ValidatePods_ExistingNodeFits_NoWarning()
    {
        _server.Cluster.NodeList.Add(new NodeView { Name = "ng-1", Labels = new Dictionary<string, string> { ["intent"] = "web" } });
        var pod = JsonNode.Parse("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"w"},"spec":{"nodeSelector":{"intent":"web"},"containers":[{"name":"c","image":"x"}]}}""")!;

        var response = await _server.ReviewAsync("/webhook/validate/pods", Reviews.Request(pod));

        Assert.False(response.ContainsKey("warnings"));
    }

    [Fact]
    public async Task ValidatePods_GarbledPodSpec_IsStillAllowed()
    {
        var pod = JsonNode.Parse("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"w"},"spec":{"containers":"oops"}}""")!;

        var response = await _server.ReviewAsync("/webhook/validate/pods", Reviews.Request(pod));

        Assert.True(response["allowed"]!.GetValue<bool>());
    }
}
