using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Capstan.Testing;
using Capstan.Webhook;
using Capstan.Webhook.Admission;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Capstan.Benchmarks;

/// <summary>
/// Admission round trip: an AdmissionReview for the tutorial's on-demand Provisioner POSTed over real HTTPS (Kestrel
/// on 127.0.0.1, TLS, kept-alive connection) to /webhook/mutate and /webhook/validate, reply read in full. Each
/// iteration is exactly one request, so the P50/P99 columns are per-request latencies. The Reviewer_* cases time the
/// same decisions without HTTP.
/// </summary>
[Config(typeof(AdmissionBenchmarks.LatencyConfig))]
public class AdmissionBenchmarks
{
    private const string Provisioner = """
        {"apiVersion":"karpenter.sh/v1alpha5","kind":"Provisioner","metadata":{"name":"default"},"spec":{
          "labels":{"intent":"apps"},
          "requirements":[{"key":"karpenter.sh/capacity-type","operator":"In","values":["on-demand"]},
                          {"key":"karpenter.k8s.aws/instance-size","operator":"NotIn","values":["nano","micro","small","medium","large"]}],
          "limits":{"resources":{"cpu":1000,"memory":"1000Gi"}},"ttlSecondsAfterEmpty":30,"ttlSecondsUntilExpired":2592000,
          "providerRef":{"name":"default"}}}
        """;

    private static readonly string s_review = $$$"""
        {"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{"uid":"2b752327-a529-4ffd-b2e2-478455e80a0d",
         "kind":{"group":"karpenter.sh","version":"v1alpha5","kind":"Provisioner"},
         "resource":{"group":"karpenter.sh","version":"v1alpha5","resource":"provisioners"},
         "name":"default","operation":"CREATE","userInfo":{"username":"alice@example.com"},
         "object":{{{Provisioner}}},"oldObject":null,"dryRun":false}}
        """;

    private readonly byte[] _body = Encoding.UTF8.GetBytes(s_review);
    private TestCertificates? _certs;
    private WebApplication? _app;
    private HttpClient? _client;
    private AdmissionReviewer? _reviewer;
    private AdmissionReview? _parsed;

    [GlobalSetup]
    public void Setup()
    {
        _certs = TestCertificates.Create(TimeProvider.System.GetUtcNow());
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(_certs.Server)));
        builder.Services.AddCapstanWebhook();
        _app = builder.Build();
        _app.MapGroup("/webhook").MapCapstanWebhook();
        _app.StartAsync().GetAwaiter().GetResult();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _client = _certs.CreateClient(new Uri(address));
        _reviewer = _app.Services.GetRequiredService<AdmissionReviewer>();
        _parsed = AdmissionEndpoints.Parse(_body).Review;
        // Check the answers once, so the figures are for correct replies.
        if (!Mutate().Contains("\"patchType\":\"JSONPatch\"", StringComparison.Ordinal) || !Validate().Contains("\"allowed\":true", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("unexpected admission reply");
        }
    }

    [Benchmark(Description = "HTTPS POST /webhook/mutate")]
    public string Mutate() => Post("/webhook/mutate");

    [Benchmark(Description = "HTTPS POST /webhook/validate")]
    public string Validate() => Post("/webhook/validate");

    [Benchmark(Description = "in-process parse+mutate+serialize")]
    public byte[] Reviewer_Mutate() =>
        JsonSerializer.SerializeToUtf8Bytes(_reviewer!.Mutate(AdmissionEndpoints.Parse(_body).Review!), WebhookJsonContext.Default.AdmissionReview);

    [Benchmark(Description = "in-process parse+validate+serialize")]
    public byte[] Reviewer_Validate() =>
        JsonSerializer.SerializeToUtf8Bytes(_reviewer!.Validate(AdmissionEndpoints.Parse(_body).Review!), WebhookJsonContext.Default.AdmissionReview);

    [GlobalCleanup]
    public void Cleanup()
    {
        _client?.Dispose();
        _app?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _certs?.Dispose();
        GC.KeepAlive(_parsed);
    }

    private string Post(string path)
    {
        using var content = new ByteArrayContent(_body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var response = _client!.PostAsync(path, content).GetAwaiter().GetResult();
        return response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
    }

    /// <summary>One request per iteration (so percentiles are per request), in process, short: the machine is shared.</summary>
    public sealed class LatencyConfig : ManualConfig
    {
        public LatencyConfig()
        {
            var perRequest = Job.Default
                .WithToolchain(InProcessEmitToolchain.Instance)
                .WithLaunchCount(1)
                .WithWarmupCount(200)
                .WithIterationCount(2000)
                .WithInvocationCount(1)
                .WithUnrollFactor(1)
                .WithOutlierMode(Perfolizer.Mathematics.OutlierDetection.OutlierMode.DontRemove);

            // Warm: a server answering request after request. Cold: BenchmarkDotNet's default full GC before every
            // request, which also empties the CPU caches (a pessimistic bound, not a steady state).
            AddJob(perRequest.WithGcForce(false).WithId("Warm"));
            AddJob(perRequest.WithId("Cold"));
            AddColumn(StatisticColumn.Median, new PercentileColumn(99));
            AddDiagnoser(BenchmarkDotNet.Diagnosers.MemoryDiagnoser.Default);
            WithOptions(ConfigOptions.DisableOptimizationsValidator);
        }
    }

    /// <summary>A percentile of the per-iteration times, in microseconds.</summary>
    public sealed class PercentileColumn(int percentile) : IColumn
    {
        public string Id => $"P{percentile}";

        public string ColumnName => $"P{percentile}";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Statistics;

        public int PriorityInCategory => 10;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Time;

        public string Legend => $"{percentile}th percentile of the per-request time";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var statistics = summary[benchmarkCase]?.ResultStatistics;
            return statistics is null
                ? "NA"
                : (statistics.Percentiles.Percentile(percentile) / 1000d).ToString("N1", CultureInfo.InvariantCulture) + " μs";
        }

        public bool IsAvailable(Summary summary) => true;

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    }
}
