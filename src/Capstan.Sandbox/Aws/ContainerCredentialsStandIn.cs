using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Capstan.Sandbox.Aws;

/// <summary>
/// The EKS Pod Identity agent (a container credentials endpoint) on loopback: the SDK's chain calls
/// <c>AWS_CONTAINER_CREDENTIALS_FULL_URI</c> with the token of <c>AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE</c> in the
/// <c>Authorization</c> header and gets <c>AccessKeyId</c>, <c>SecretAccessKey</c>, <c>Token</c>, <c>AccountId</c>
/// and <c>Expiration</c>. A request without the expected token gets 401, as the agent answers.
/// </summary>
public sealed class ContainerCredentialsStandIn : IAsyncDisposable
{
    public const string CredentialsPath = "/v1/credentials";

    private readonly ConcurrentQueue<string> _authorizations = new();
    private readonly TimeProvider _time;
    private WebApplication? _app;

    public ContainerCredentialsStandIn(string expectedToken, TimeProvider? time = null)
    {
        ExpectedToken = expectedToken;
        _time = time ?? TimeProvider.System;
    }

    public string ExpectedToken { get; }

    public string AccessKeyId { get; init; } = "ASIAPODIDENTITY00001";

    public string SecretAccessKey { get; init; } = "pod-identity-secret";

    public string SessionToken { get; init; } = "pod-identity-session-token";

    public string AccountId { get; init; } = "123456789012";

    public TimeSpan Lifetime { get; init; } = TimeSpan.FromHours(6);

    /// <summary>The full URI to put in <c>AWS_CONTAINER_CREDENTIALS_FULL_URI</c>; set once started.</summary>
    public Uri CredentialsUri { get; private set; } = new("http://127.0.0.1/");

    /// <summary>The <c>Authorization</c> header of every request (empty when none was sent).</summary>
    public IReadOnlyList<string> Authorizations => [.. _authorizations];

    public async Task<ContainerCredentialsStandIn> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.Run(HandleAsync);
        await app.StartAsync();
        _app = app;
        CredentialsUri = new Uri(app.Urls.First().TrimEnd('/') + CredentialsPath);
        return this;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        _authorizations.Enqueue(authorization);
        context.Response.ContentType = "application/json";
        if (context.Request.Path != CredentialsPath)
        {
            context.Response.StatusCode = 404;
            await context.Response.WriteAsync(new JsonObject { ["Message"] = "not found" }.ToJsonString(), context.RequestAborted);
            return;
        }

        if (authorization != ExpectedToken)
        {
            context.Response.StatusCode = 401;
            await context.Response.WriteAsync(new JsonObject { ["Message"] = "Service account token cannot be empty or is invalid" }.ToJsonString(), context.RequestAborted);
            return;
        }

        var body = new JsonObject
        {
            [nameof(AccessKeyId)] = AccessKeyId,
            [nameof(SecretAccessKey)] = SecretAccessKey,
            ["Token"] = SessionToken,
            [nameof(AccountId)] = AccountId,
            ["Expiration"] = _time.GetUtcNow().Add(Lifetime).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        };
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }
}
