using System.Net;
using System.Text.Json.Nodes;
using Capstan.Webhook.Tests.Support;

namespace Capstan.Webhook.Tests;

/// <summary>The AdmissionReview envelope: uid echo, version echo, unknown kinds, and HTTP 400/413 for bad bodies.</summary>
public sealed class EnvelopeTests(WebhookServer server) : IClassFixture<WebhookServer>
{
    private const string Provisioner = """{"apiVersion":"karpenter.sh/v1alpha5","kind":"Provisioner","metadata":{"name":"p"},"spec":{"providerRef":{"name":"d"}}}""";

    [Theory]
    [InlineData("/webhook/mutate")]
    [InlineData("/webhook/validate")]
    [InlineData("/webhook/validate/pods")]
    public async Task Review_AnyEndpoint_EchoesUidApiVersionAndKind(string path)
    {
        var (status, body) = await server.PostAsync(path, Reviews.Request(JsonNode.Parse(Provisioner), uid: "c0ffee-1"));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("admission.k8s.io/v1", body!["apiVersion"]!.GetValue<string>());
        Assert.Equal("AdmissionReview", body["kind"]!.GetValue<string>());
        Assert.Equal("c0ffee-1", body["response"]!["uid"]!.GetValue<string>());
        Assert.False(body.AsObject().ContainsKey("request"));
    }

    [Fact]
    public async Task Review_V1Beta1_IsAnsweredInV1Beta1()
    {
        var (_, body) = await server.PostAsync("/webhook/validate", Reviews.Request(JsonNode.Parse(Provisioner), apiVersion: "admission.k8s.io/v1beta1"));

        Assert.Equal("admission.k8s.io/v1beta1", body!["apiVersion"]!.GetValue<string>());
    }

    [Fact]
    public async Task Review_ProtocolExampleOfAnUnknownKind_IsAllowedWithoutPatch()
    {
        var body = File.ReadAllText(Path.Combine(Manifests.Root, "tests", "Capstan.Webhook.Tests", "Fixtures", "admission_request_create_cr.json"));

        var mutate = await server.ReviewAsync("/webhook/mutate", body);
        var validate = await server.ReviewAsync("/webhook/validate", body);

        Assert.Equal("""{"uid":"2b752327-a529-4ffd-b2e2-478455e80a0d","allowed":true}""", mutate.ToJsonString());
        Assert.Equal("""{"uid":"2b752327-a529-4ffd-b2e2-478455e80a0d","allowed":true}""", validate.ToJsonString());
    }

    [Fact]
    public async Task Review_ValidatingReply_HasNeitherPatchNorPatchType()
    {
        var response = await server.ReviewAsync("/webhook/validate", Reviews.Request(JsonNode.Parse("""{"apiVersion":"karpenter.sh/v1alpha5","kind":"Provisioner","metadata":{"name":"p"}}""")));

        Assert.False(response.ContainsKey("patch"));
        Assert.False(response.ContainsKey("patchType"));
    }

    [Theory]
    [InlineData("", "the body is empty")]
    [InlineData("not json", "the body is not an AdmissionReview")]
    [InlineData("null", "the body is null")]
    [InlineData("[]", "the body is not an AdmissionReview")]
    [InlineData("""{"kind":"Pod","apiVersion":"v1"}""", "expected apiVersion admission.k8s.io/v1 and kind AdmissionReview")]
    [InlineData("""{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1"}""", "the AdmissionReview has no request")]
    [InlineData("""{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{"kind":{"kind":"Provisioner"},"operation":"CREATE","object":{}}}""", "request.uid is missing")]
    [InlineData("""{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{"uid":42}}""", "wrong type at $.request.uid")]
    [InlineData("""{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{"uid":"u","operation":"CREATE","object":{}}}""", "request.kind is missing")]
    [InlineData("""{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{"uid":"u","kind":{"kind":"Provisioner"},"object":{}}}""", "request.operation is missing")]
    [InlineData("""{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{"uid":"u","kind":{"kind":"Provisioner"},"operation":"CREATE","object":"x"}}""", "request.object must be an object for CREATE")]
    [InlineData("""{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{"uid":"u","kind":"Provisioner"}}""", "wrong type at $.request.kind")]
    public async Task Review_MalformedBody_IsHttp400WithAPlainReason(string body, string reason)
    {
        foreach (var path in new[] { "/webhook/mutate", "/webhook/validate", "/webhook/validate/pods" })
        {
            var (status, problem) = await server.PostAsync(path, body);

            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Contains(reason, problem!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Review_BodyOver3MiB_IsHttp413()
    {
        var padding = new string('x', 3 * 1024 * 1024);
        var body = Reviews.Request(JsonNode.Parse(Provisioner)).Replace("\"dryRun\":false", $"\"dryRun\":false,\"pad\":\"{padding}\"", StringComparison.Ordinal);

        // Expect: 100-continue, as a careful client sends: the 413 comes before the body is uploaded.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhook/validate") { Content = new StringContent(body) };
        request.Headers.ExpectContinue = true;
        using var response = await server.Client.SendAsync(request).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("the limit is 3145728", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Review_BodyJustUnder3MiB_IsAnswered()
    {
        var review = Reviews.Request(JsonNode.Parse(Provisioner));
        var padding = new string('x', (3 * 1024 * 1024) - review.Length - 64);
        var body = review.Replace("\"dryRun\":false", $"\"dryRun\":false,\"pad\":\"{padding}\"", StringComparison.Ordinal);

        var response = await server.ReviewAsync("/webhook/validate", body);

        Assert.True(response["allowed"]!.GetValue<bool>());
    }
}
