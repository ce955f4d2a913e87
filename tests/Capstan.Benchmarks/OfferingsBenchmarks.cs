using Amazon.Runtime;
using BenchmarkDotNet.Attributes;
using Capstan.Aws;
using Capstan.Aws.Catalog;
using Capstan.Aws.Clients;
using Capstan.Aws.Discovery;
using Capstan.Aws.Offerings;
using Capstan.Aws.Pricing;
using Capstan.Core.Cloud;
using Capstan.Core.Provisioning;
using Capstan.Sandbox.Aws;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capstan.Benchmarks;

/// <summary>
/// Instance types and offerings for a node template over the whole built-in catalog (every type offered in three
/// zones, spot prices for each): <c>Refresh</c> reads everything again through the real SDK from the loopback AWS
/// stand-in (DescribeInstanceTypes and DescribeInstanceTypeOfferings paged, DescribeSpotPriceHistory, the Price List
/// already cached) and merges; <c>Cached</c> is what every provisioning batch pays once the caches are warm.
/// </summary>
[MemoryDiagnoser]
public class OfferingsBenchmarks
{
    private static readonly string[] s_zones = ["us-east-1a", "us-east-1b", "us-east-1c"];
    private AwsStandIn _standIn = null!;
    private InstanceTypeProvider _provider = null!;
    private NodeTemplate _template = null!;

    [GlobalSetup]
    public void Setup()
    {
        var ec2 = new Ec2StandIn();
        var pricing = new PricingStandIn();
        _standIn = new AwsStandIn().Add(ec2).Add(new SsmStandIn()).Add(pricing).StartAsync().GetAwaiter().GetResult();
        var discovery = new Dictionary<string, string> { ["karpenter.sh/discovery"] = "bench" };
        for (var i = 0; i < s_zones.Length; i++)
        {
            ec2.AddSubnet($"subnet-{i}", s_zones[i], discovery, 4000);
        }

        ec2.AddSecurityGroup("sg-0", "bench", discovery);
        var specs = InstanceCatalog.BuiltIn.Specs.Values.Where(s => s.OnDemandPricePerHour > 0).ToList();
        ec2.AddInstanceTypes(specs, s_zones);
        pricing.AddInstancePrices(specs, "us-east-1");
        foreach (var spec in specs.Where(s => s.SpotSupported))
        {
            foreach (var zone in s_zones)
            {
                ec2.AddSpotPrice(spec.Name, zone, Math.Round(spec.OnDemandPricePerHour * 0.4, 6));
            }
        }

        var options = new AwsOptions { ClusterName = "bench", Region = "us-east-1" };
        var clients = new AwsClientFactory(options, new AwsEndpoints(k => k == "AWS_ENDPOINT_URL" ? _standIn.Endpoint.ToString() : null), new BasicAWSCredentials("AKIDEXAMPLE", "secret"));
        var pipelines = new AwsPipelines(options, TimeProvider.System);
        var ec2Client = clients.CreateEc2();
        var resolver = new TemplateResolver(ec2Client, clients.CreateSsm(), pipelines, options, TimeProvider.System, NullLogger<TemplateResolver>.Instance);
        var spot = new SpotPrices(ec2Client, pipelines, TimeProvider.System, NullLogger<SpotPrices>.Instance);
        var onDemand = new OnDemandPrices(new PricingClient(clients, options, TimeProvider.System), pipelines, "us-east-1", TimeProvider.System, NullLogger<OnDemandPrices>.Instance);
        _provider = new InstanceTypeProvider(ec2Client, resolver, spot, onDemand, pipelines, options, new UnavailableOfferings(TimeProvider.System),
            TimeProvider.System, NullLogger<InstanceTypeProvider>.Instance);
        _template = new NodeTemplate { Name = "default", SubnetSelector = discovery, SecurityGroupSelector = discovery };
        _ = Cached().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup() => _standIn.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark]
    public async Task<int> Refresh() => (await _provider.RefreshAsync(_template, KubeletSettings.Default, CancellationToken.None)).Count;

    [Benchmark]
    public async Task<int> Cached() => (await _provider.GetInstanceTypesAsync(_template, KubeletSettings.Default, CancellationToken.None)).Count;
}
