using Amazon.Runtime;
using Capstan.Aws;
using Capstan.Aws.Catalog;
using Capstan.Aws.Clients;
using Capstan.Core.Cloud;
using Capstan.Core.Ports;
using Capstan.Core.Provisioning;
using Capstan.Core.Scheduling;
using Capstan.Sandbox.Aws;
using Capstan.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Capstan.Host.Tests;

/// <summary>
/// <c>capstan serve</c> with the aws cloud provider, composed as in production, its SDK clients pointed at the AWS
/// stand-in: the port resolves, instance types come from EC2 and the Price List, a claim launches, is listed, and
/// terminates; interruptions arrive; the calls show on <c>/metrics</c>.
/// </summary>
public sealed class ServeAwsTests : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("capstan-serve-aws-");
    private readonly TestCertificates _certs = TestCertificates.Create(TimeProvider.System.GetUtcNow());
    private readonly AwsStandIn _aws = new();
    private readonly Ec2StandIn _ec2 = new();
    private readonly SsmStandIn _ssm = new();
    private readonly SqsStandIn _sqs = new();
    private readonly PricingStandIn _pricing = new();

    public async Task InitializeAsync()
    {
        _certs.WritePem(_dir.FullName);
        _aws.Add(_ec2).Add(_ssm).Add(_sqs).Add(_pricing).Add(new StsStandIn());
        await _aws.StartAsync().WaitAsync(s_timeout);
        var discovery = new Dictionary<string, string> { ["karpenter.sh/discovery"] = "demo-cluster" };
        _ec2.AddSubnet("subnet-0aaa", "us-east-1a", discovery, 4000);
        _ec2.AddSubnet("subnet-0bbb", "us-east-1b", discovery, 3000);
        _ec2.AddSecurityGroup("sg-0ccc", "eks-cluster-sg-demo", discovery);
        var specs = new[] { "m5.large", "m5.xlarge", "c6a.2xlarge" }.Select(n => InstanceCatalog.BuiltIn.Specs[n]).ToList();
        _ec2.AddInstanceTypes(specs, ["us-east-1a", "us-east-1b", "us-east-1c"]);
        _pricing.AddInstancePrices(specs, "us-east-1");
        _ssm.Put("/aws/service/eks/optimized-ami/1.29/amazon-linux-2/recommended/image_id", "ami-0amd64");
        _sqs.CreateQueue("demo-cluster");
    }

    public async Task DisposeAsync() => await _aws.DisposeAsync();

    public void Dispose()
    {
        _certs.Dispose();
        _dir.Delete(recursive: true);
    }

    [Fact]
    public async Task Serve_AwsCloudProvider_ResolvesTypesLaunchesListsAndTerminatesThroughEc2()
    {
        await using var app = Build();
        await app.StartAsync().WaitAsync(s_timeout);
        var cloud = app.Services.GetRequiredService<ICloudProvider>();
        var template = new NodeTemplate { Name = "default", SubnetSelector = Discovery, SecurityGroupSelector = Discovery };

        var types = await cloud.GetInstanceTypesAsync(template, KubeletSettings.Default, CancellationToken.None).WaitAsync(s_timeout);
        var result = await cloud.LaunchAsync(new LaunchRequest
        {
            ClaimName = "default-7f3k2",
            ProvisionerName = "default",
            Template = template,
            InstanceTypes = [.. types.OrderBy(t => t.Offerings.Min(o => o.PricePerHour))],
            Requirements = Requirements.Create(Requirement.In(Labels.CapacityType, Labels.CapacityTypeOnDemand)),
            Labels = new Dictionary<string, string> { ["intent"] = "apps" },
        }, CancellationToken.None).WaitAsync(s_timeout);
        var listed = await cloud.ListAsync(CancellationToken.None).WaitAsync(s_timeout);

        Assert.Equal(["c6a.2xlarge", "m5.large", "m5.xlarge"], types.Select(t => t.Name).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(types.SelectMany(t => t.Offerings), o => o.Zone == "us-east-1c");
        var instance = Assert.IsType<CloudInstance>(result.Instance);
        Assert.Equal("on-demand", instance.CapacityType);
        Assert.Equal($"aws:///{instance.Zone}/{instance.InstanceId}", instance.ProviderId);
        Assert.EndsWith(".ec2.internal", instance.PrivateDnsName, StringComparison.Ordinal);
        Assert.Equal("default-7f3k2", Assert.Single(listed).ClaimName);
        var fleet = Assert.Single(_aws.CallsOf("ec2", "CreateFleet"));
        Assert.Equal("kubernetes.io/cluster/demo-cluster", fleet.Parameters.Where(p => p.Value == "owned").Select(p => fleet.Get(p.Key.Replace(".Value", ".Key", StringComparison.Ordinal))).First());
        Assert.True(await cloud.TerminateAsync(instance.ProviderId, CancellationToken.None).WaitAsync(s_timeout));

        using var client = _certs.CreateClient(CapstanApp.Addresses(app)[0]);
        var metrics = await client.GetStringAsync("/metrics").WaitAsync(s_timeout);
        // prometheus-net's registry is process-wide: other hosts of this test run may have launched too.
        Assert.Matches(@"capstan_cloudprovider_duration_seconds_count\{method=""Create""\} [1-9]", metrics);
        Assert.Contains("method=\"Create\"", metrics, StringComparison.Ordinal);
        await app.StopAsync().WaitAsync(s_timeout);
    }

    [Fact]
    public async Task Serve_InterruptionQueue_DeliversAnEnqueuedSpotWarning()
    {
        await using var app = Build("--Capstan:Aws:InterruptionQueue=demo-cluster");
        await app.StartAsync().WaitAsync(s_timeout);
        var source = app.Services.GetRequiredService<IInterruptionSource>();
        _sqs.EnqueueSpotInterruption("demo-cluster", "i-0abc", TimeProvider.System.GetUtcNow());

        var events = await source.ReceiveAsync(CancellationToken.None).WaitAsync(s_timeout);

        var warning = Assert.Single(events);
        Assert.Equal(InterruptionKind.SpotInterrupted, warning.Kind);
        Assert.Equal(["i-0abc"], warning.InstanceIds);
        await source.CompleteAsync(warning, CancellationToken.None).WaitAsync(s_timeout);
        Assert.Equal(0, _sqs.CountOf("demo-cluster"));
        await app.StopAsync().WaitAsync(s_timeout);
    }

    private static Dictionary<string, string> Discovery => new() { ["karpenter.sh/discovery"] = "demo-cluster" };

    private WebApplication Build(params string[] extra)
    {
        var endpoint = _aws.Endpoint.ToString();
        return CapstanApp.Build(
        [
            "--Capstan:Server:Listen=https://127.0.0.1:0",
            $"--Capstan:Tls:CertFile={Path.Combine(_dir.FullName, "tls.crt")}",
            $"--Capstan:Tls:KeyFile={Path.Combine(_dir.FullName, "tls.key")}",
            HostTests.NoCluster,
            HostTests.ClusterName,
            "--Capstan:Cluster:Endpoint=https://ABCDEF.gr7.us-east-1.eks.amazonaws.com",
            "--Capstan:Aws:Region=us-east-1",
            "--Capstan:Aws:DefaultInstanceProfile=KarpenterNodeInstanceProfile-demo-cluster",
            .. extra,
        ], builder =>
        {
            HostTests.Quiet(builder);
            var endpoints = new AwsEndpoints(k => k == "AWS_ENDPOINT_URL" ? endpoint : null);
            builder.Services.AddSingleton(endpoints);
            builder.Services.AddSingleton(sp => new AwsClientFactory(
                sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<AwsOptions>>().Value, endpoints, new BasicAWSCredentials("AKIDEXAMPLE", "secret")));
        });
    }
}
