using System.Net;
using System.Net.Http.Headers;
using BenchmarkDotNet.Attributes;
using Capstan.Core.Ports;
using Capstan.Extender;
using Capstan.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Capstan.Benchmarks;

/// <summary>
/// Loopback load test: the extender on Kestrel over HTTPS (as in production) and a client with
/// <see cref="Concurrency"/> parallel keep-alive connections in the same process, both on this
/// machine's two cores. Each invocation sends <see cref="Requests"/> filter requests
/// (<c>nodeCacheCapable: true</c>); the reported time is per request, so requests/s = 1 s / Mean.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 6)]
public class ExtenderLoadBenchmarks
{
    private const int Requests = 4_096;

    private WebApplication _app = null!;
    private TestCertificates _certificates = null!;
    private HttpClient _client = null!;
    private byte[] _body = null!;

    [Params(100, 1_000)]
    public int Nodes { get; set; }

    [Params(32)]
    public int Concurrency { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var cluster = new ExtenderBenchmarkCluster(Nodes);
        _body = cluster.ArgsBody();
        _certificates = TestCertificates.Create(TimeProvider.System.GetUtcNow());
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(_certificates.Server)));
        builder.Services.AddSingleton<IClusterState>(cluster);
        builder.Services.AddSingleton<IClusterWriter>(cluster);
        builder.Services.AddCapstanExtender();
        _app = builder.Build();
        _app.MapGroup("/extender").MapCapstanExtender();
        _app.StartAsync().GetAwaiter().GetResult();
        _client = _certificates.CreateClient(new Uri(_app.Urls.First()));
        SendAsync(Concurrency * 4).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client.Dispose();
        _app.StopAsync().GetAwaiter().GetResult();
        _app.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _certificates.Dispose();
    }

    [Benchmark(OperationsPerInvoke = Requests)]
    public Task FilterOverHttps() => SendAsync(Requests);

    private async Task SendAsync(int total)
    {
        var next = -1;
        var workers = new Task[Concurrency];
        for (var w = 0; w < workers.Length; w++)
        {
            workers[w] = Task.Run(async () =>
            {
                while (Interlocked.Increment(ref next) < total)
                {
                    using var content = new ByteArrayContent(_body);
                    content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                    using var response = await _client.PostAsync(new Uri("extender/filter", UriKind.Relative), content);
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        throw new InvalidOperationException($"filter answered {(int)response.StatusCode}");
                    }

                    await response.Content.CopyToAsync(Stream.Null);
                }
            });
        }

        await Task.WhenAll(workers);
    }
}
