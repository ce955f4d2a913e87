using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Capstan.Core.Ports;
using Capstan.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Capstan.Extender.Tests;

/// <summary>
/// The extender routes on a real Kestrel at https://127.0.0.1:{random}, composed the way Capstan.Host
/// composes them (<c>MapGroup("/extender").MapCapstanExtender()</c>), with a throwaway CA.
/// </summary>
internal sealed class ExtenderHost : IAsyncDisposable
{
    private ExtenderHost(WebApplication app, TestCertificates certificates, Uri address)
    {
        App = app;
        Certificates = certificates;
        Address = address;
    }

    public WebApplication App { get; }

    public TestCertificates Certificates { get; }

    public Uri Address { get; }

    public static async Task<ExtenderHost> StartAsync(
        IClusterState cluster,
        IClusterWriter writer,
        IProvisioningTrigger? trigger = null,
        IDictionary<string, string?>? configuration = null,
        Action<IServiceCollection>? services = null,
        Action<TestCertificates>? beforeStart = null)
    {
        var certificates = TestCertificates.Create(TimeProvider.System.GetUtcNow());
        beforeStart?.Invoke(certificates);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(configuration ?? new Dictionary<string, string?>());
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(new HttpsConnectionAdapterOptions
        {
            ServerCertificate = certificates.Server,
            // As Capstan.Host does when Capstan:Tls:ClientCaFile is set: accept any certificate at the TLS
            // layer and let the extender's endpoint filter decide.
            ClientCertificateMode = ClientCertificateMode.AllowCertificate,
            ClientCertificateValidation = static (_, _, _) => true,
        })));
        builder.Services.AddSingleton(cluster);
        builder.Services.AddSingleton(writer);
        if (trigger is not null)
        {
            builder.Services.AddSingleton(trigger);
        }

        services?.Invoke(builder.Services);
        builder.Services.AddCapstanExtender();
        var app = builder.Build();
        app.MapGroup("/extender").MapCapstanExtender();
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            certificates.Dispose();
            throw;
        }

        return new ExtenderHost(app, certificates, new Uri(app.Urls.First()));
    }

    public HttpClient CreateClient(bool presentClientCertificate = false) => Certificates.CreateClient(Address, presentClientCertificate);

    /// <summary>A client that trusts the server but presents a certificate from some other CA.</summary>
    public HttpClient CreateClientWithForeignCertificate(X509Certificate2 foreign) => Certificates.CreateClient(Address, foreign);

    public static async Task<(HttpStatusCode Status, JsonNode? Body, string Text)> PostAsync(HttpClient client, string path, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await client.PostAsync(new Uri(path, UriKind.Relative), content).WaitAsync(TimeSpan.FromSeconds(30));
        var text = await response.Content.ReadAsStringAsync();
        JsonNode? json;
        try
        {
            json = JsonNode.Parse(text);
        }
        catch (System.Text.Json.JsonException)
        {
            json = null;
        }

        return (response.StatusCode, json, text);
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        Certificates.Dispose();
    }
}
