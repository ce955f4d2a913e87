using System.Text;
using System.Text.Json.Nodes;
using Capstan.Webhook.Tests.Support;

namespace Capstan.Webhook.Tests;

public sealed class MutateTests(WebhookServer server) : IClassFixture<WebhookServer>
{
    private static readonly JsonNode s_osLinux = Req("kubernetes.io/os", "In", "linux");
    private static readonly JsonNode s_archAmd64 = Req("kubernetes.io/arch", "In", "amd64");
    private static readonly JsonNode s_onDemand = Req("karpenter.sh/capacity-type", "In", "on-demand");
    private static readonly JsonNode s_cmr = Req("karpenter.k8s.aws/instance-category", "In", "c", "m", "r");
    private static readonly JsonNode s_gen2 = Req("karpenter.k8s.aws/instance-generation", "Gt", "2");

    [Fact]
    public async Task Mutate_OnDemandAppsExample_AddsOsArchAndCategoryDefaults()
    {
        var provisioner = Manifests.One(Path.Combine(Manifests.Examples, "provisioner-on-demand-apps.yaml"), "Provisioner");

        var patched = await MutateAndApplyAsync(provisioner);

        var expected = provisioner.DeepClone();
        var requirements = expected["spec"]!["requirements"]!.AsArray();
        foreach (var r in new[] { s_osLinux, s_archAmd64, s_cmr, s_gen2 })
        {
            requirements.Add(r.DeepClone());
        }

        Assert.True(JsonNode.DeepEquals(expected, patched), patched.ToJsonString());
    }

    [Fact]
    public async Task Mutate_InlineProviderExample_AddsOnlyOs()
    {
        // instance-type, arch and capacity-type are all given; only os is missing.
        var provisioner = Manifests.One(Path.Combine(Manifests.Examples, "provisioner-inline-provider.yaml"), "Provisioner");

        var response = await server.ReviewAsync("/webhook/mutate", Reviews.Request(provisioner));

        var patch = DecodePatch(response);
        Assert.Single(patch);
        Assert.Equal("/spec/requirements/-", patch[0]!["path"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(s_osLinux, patch[0]!["value"]));
    }

    [Theory]
    [InlineData("provisioner-spot-discovery.yaml")]
    [InlineData("provisioner-spot-apps.yaml")]
    public async Task Mutate_SpotExamples_KeepSpotAndAddTheRest(string file)
    {
        var provisioner = Manifests.One(Path.Combine(Manifests.Examples, file), "Provisioner");

        var patched = await MutateAndApplyAsync(provisioner);

        var requirements = patched["spec"]!["requirements"]!.AsArray();
        Assert.Single(requirements, r => r!["key"]!.GetValue<string>() == "karpenter.sh/capacity-type");
        Assert.Contains(requirements, r => JsonNode.DeepEquals(r, s_gen2));
        Assert.Contains(requirements, r => JsonNode.DeepEquals(r, s_osLinux));
        Assert.Contains(requirements, r => JsonNode.DeepEquals(r, s_archAmd64));
    }

    [Fact]
    public async Task Mutate_NoSpecAtAll_AddsSpecWithEveryDefaultInOrder()
    {
        var provisioner = JsonNode.Parse("""{"apiVersion":"karpenter.sh/v1alpha5","kind":"Provisioner","metadata":{"name":"bare"}}""")!;

        var patched = await MutateAndApplyAsync(provisioner);

        var expected = new JsonArray(s_osLinux.DeepClone(), s_archAmd64.DeepClone(), s_onDemand.DeepClone(), s_cmr.DeepClone(), s_gen2.DeepClone());
        Assert.True(JsonNode.DeepEquals(expected, patched["spec"]!["requirements"]), patched.ToJsonString());
    }

    [Fact]
    public async Task Mutate_SpecWithoutRequirements_AddsTheRequirementsArray()
    {
        var provisioner = JsonNode.Parse("""{"apiVersion":"karpenter.sh/v1alpha5","kind":"Provisioner","metadata":{"name":"p"},"spec":{"providerRef":{"name":"default"}}}""")!;

        var response = await server.ReviewAsync("/webhook/mutate", Reviews.Request(provisioner));

        var patch = DecodePatch(response);
        Assert.Equal("/spec/requirements", Assert.Single(patch)!["path"]!.GetValue<string>());
        Assert.Equal("JSONPatch", response["patchType"]!.GetValue<string>());
    }

    [Fact]
    public async Task Mutate_AllDefaultsPresent_ReturnsNoPatch()
    {
        var provisioner = JsonNode.Parse("""{"apiVersion":"karpenter.sh/v1alpha5","kind":"Provisioner","metadata":{"name":"p"}}""")!;
        var once = await MutateAndApplyAsync(provisioner);

        var response = await server.ReviewAsync("/webhook/mutate", Reviews.Request(once, operation: "UPDATE"));

        Assert.True(response["allowed"]!.GetValue<bool>());
        Assert.False(response.ContainsKey("patch"));
        Assert.False(response.ContainsKey("patchType"));
    }

    [Fact]
    public async Task Mutate_LegacyBetaKeysAndFamily_CountAsPresent()
    {
        var provisioner = JsonNode.Parse("""
            {"apiVersion":"karpenter.sh/v1alpha5","kind":"Provisioner","metadata":{"name":"p"},"spec":{
              "labels":{"kubernetes.io/os":"linux"},
              "requirements":[
                {"key":"beta.kubernetes.io/arch","operator":"In","values":["arm64"]},
                {"key":"karpenter.k8s.aws/instance-family","operator":"In","values":["m6g"]}]}}
            """)!;

        var response = await server.ReviewAsync("/webhook/mutate", Reviews.Request(provisioner));

        // Labels do not count (v0.26.1 looks at requirements only): os and capacity-type are added, nothing else.
        var patch = DecodePatch(response);
        Assert.Equal(2, patch.Count);
        Assert.True(JsonNode.DeepEquals(s_osLinux, patch[0]!["value"]));
        Assert.True(JsonNode.DeepEquals(s_onDemand, patch[1]!["value"]));
    }

    [Fact]
    public async Task Mutate_AwsNodeTemplate_PassesUnchanged()
    {
        var template = Manifests.One(Path.Combine(Manifests.Examples, "provisioner-on-demand-apps.yaml"), "AWSNodeTemplate");

        var response = await server.ReviewAsync("/webhook/mutate", Reviews.Request(template));

        Assert.True(response["allowed"]!.GetValue<bool>());
        Assert.False(response.ContainsKey("patch"));
    }

    [Fact]
    public async Task Mutate_Delete_IsAllowedWithoutPatch()
    {
        var provisioner = Manifests.One(Path.Combine(Manifests.Examples, "provisioner-spot-discovery.yaml"), "Provisioner");

        var response = await server.ReviewAsync("/webhook/mutate", Reviews.Request(null, operation: "DELETE", oldObject: provisioner));

        Assert.True(response["allowed"]!.GetValue<bool>());
        Assert.False(response.ContainsKey("patch"));
    }

    [Fact]
    public async Task Mutate_PatchIsPaddedBase64OfAJsonArray_AndAuditAnnotationNamesTheKeys()
    {
        var provisioner = Manifests.One(Path.Combine(Manifests.Examples, "provisioner-spot-discovery.yaml"), "Provisioner");

        var response = await server.ReviewAsync("/webhook/mutate", Reviews.Request(provisioner));

        var base64 = response["patch"]!.GetValue<string>();
        Assert.Equal(0, base64.Length % 4);
        Assert.StartsWith("[", Encoding.UTF8.GetString(Convert.FromBase64String(base64)), StringComparison.Ordinal);
        Assert.Equal("kubernetes.io/os,kubernetes.io/arch,karpenter.k8s.aws/instance-category,karpenter.k8s.aws/instance-generation",
            response["auditAnnotations"]!["defaulted-requirements"]!.GetValue<string>());
    }

    private async Task<JsonNode> MutateAndApplyAsync(JsonNode obj)
    {
        var response = await server.ReviewAsync("/webhook/mutate", Reviews.Request(obj));
        Assert.True(response["allowed"]!.GetValue<bool>());
        Assert.Equal("JSONPatch", response["patchType"]!.GetValue<string>());
        return JsonPatch.Apply(obj, DecodePatch(response));
    }

    internal static JsonArray DecodePatch(JsonObject response) =>
        JsonNode.Parse(Convert.FromBase64String(response["patch"]!.GetValue<string>()))!.AsArray();

    private static JsonObject Req(string key, string op, params string[] values) =>
        new() { ["key"] = key, ["operator"] = op, ["values"] = new JsonArray([.. values.Select(v => (JsonNode)JsonValue.Create(v))]) };
}
