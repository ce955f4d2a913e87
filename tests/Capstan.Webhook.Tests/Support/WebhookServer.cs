using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Capstan.Core.Ports;
using Capstan.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Capstan.Webhook.Tests.Support;

/// <summary>The webhook routes on a real Kestrel at https://127.0.0.1:0 with a throwaway CA, and a client that trusts only that CA.</summary>
public sealed class WebhookServer : IAsyncLifetime
{
    private WebApplication? _app;

    public FakeClusterState Cluster { get; } = new();

    public TestCertificates Certificates { get; } = TestCertificates.Create(TimeProvider.System.GetUtcNow());

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(Certificates.Server)));
        builder.Services.AddSingleton<IClusterState>(Cluster);
        builder.Services.AddCapstanWebhook();
        _app = builder.Build();
        _app.MapGroup("/webhook").MapCapstanWebhook();
        await _app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Client = Certificates.CreateClient(new Uri(address));
    }

    /// <summary>POSTs a body and returns the status and the parsed JSON reply.</summary>
    public async Task<(HttpStatusCode Status, JsonNode? Body)> PostAsync(string path, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await Client.PostAsync(path, content).WaitAsync(TimeSpan.FromSeconds(30));
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    /// <summary>POSTs an AdmissionReview and returns its <c>response</c>, asserting HTTP 200 and the envelope.</summary>
    public async Task<JsonObject> ReviewAsync(string path, string review)
    {
        var (status, body) = await PostAsync(path, review);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("AdmissionReview", body!["kind"]!.GetValue<string>());
        return body["response"]!.AsObject();
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        Certificates.Dispose();
    }
}
