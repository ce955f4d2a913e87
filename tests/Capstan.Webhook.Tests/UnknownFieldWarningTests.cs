using System.Text.Json.Nodes;
using Capstan.Webhook.Tests.Support;

namespace Capstan.Webhook.Tests;

/// <summary>Fields the v1alpha5 / v1alpha1 model does not know come back as <c>response.warnings</c>, over HTTPS.</summary>
public sealed class UnknownFieldWarningTests(WebhookServer server) : IClassFixture<WebhookServer>
{
    [Fact]
    public async Task Validate_ProvisionerWithMisspelledFields_IsAdmittedWithAWarningPerField()
    {
        var provisioner = JsonNode.Parse("""
            {"apiVersion":"karpenter.sh/v1alpha5","kind":"Provisioner","metadata":{"name":"default","labels":{"free":"form"}},
             "spec":{"providerRef":{"name":"default"},"limit":{"resources":{"cpu":"100"}},
                     "taints":[{"key":"k","effect":"NoSchedule","efect":"NoExecute"}],
                     "labels":{"anything":"goes"},"ttlSecondsAfterEmpty":30,"colour":"blue"}}
            """);

        var response = await server.ReviewAsync("/webhook/validate", Reviews.Request(provisioner));

        Assert.True(response["allowed"]!.GetValue<bool>(), response["status"]?["message"]?.GetValue<string>());
        Assert.Equal(
            [
                "unknown field \"spec.limit\" (did you mean \"limits\"?)",
                "unknown field \"spec.taints[0].efect\" (did you mean \"effect\"?)",
                "unknown field \"spec.colour\"",
            ],
            response["warnings"]!.AsArray().Select(w => w!.GetValue<string>()));
    }

    [Fact]
    public async Task Validate_AwsNodeTemplateWithUnknownField_WarnsEvenWhenDenied()
    {
        var template = JsonNode.Parse("""
            {"apiVersion":"karpenter.k8s.aws/v1alpha1","kind":"AWSNodeTemplate","metadata":{"name":"Bad_Name"},
             "spec":{"subnetSelector":{"karpenter.sh/discovery":"c"},"securityGroupSelector":{"karpenter.sh/discovery":"c"},
                     "blockDeviceMappings":[{"deviceName":"/dev/xvda","ebs":{"volumeSize":"20Gi","volumeTyp":"gp3"}}]}}
            """);

        var response = await server.ReviewAsync("/webhook/validate", Reviews.Request(template));

        Assert.False(response["allowed"]!.GetValue<bool>());
        Assert.Equal(
            ["unknown field \"spec.blockDeviceMappings[0].ebs.volumeTyp\" (did you mean \"volumeType\"?)"],
            response["warnings"]!.AsArray().Select(w => w!.GetValue<string>()));
    }

    [Theory]
    [InlineData("provisioner-on-demand-apps.yaml")]
    [InlineData("provisioner-spot-apps.yaml")]
    [InlineData("provisioner-spot-discovery.yaml")]
    public async Task Validate_TutorialExamples_HaveNoWarnings(string file)
    {
        foreach (var obj in Manifests.Load(Path.Combine(Manifests.Examples, file)))
        {
            var response = await server.ReviewAsync("/webhook/validate", Reviews.Request(obj));

            Assert.True(response["allowed"]!.GetValue<bool>());
            Assert.False(response.ContainsKey("warnings"), response["warnings"]?.ToJsonString());
        }
    }
}
