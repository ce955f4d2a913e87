using Amazon.Runtime;
using BenchmarkDotNet.Attributes;
using Capstan.Aws;
using Capstan.Aws.Catalog;
using Capstan.Aws.Clients;
using Capstan.Aws.Discovery;
using Capstan.Aws.Launch;
using Capstan.Aws.Offerings;
using Capstan.Core.Cloud;
using Capstan.Core.Scheduling;
using Capstan.Sandbox.Aws;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capstan.Benchmarks;

/// <summary>
/// The launch side's own work for one node claim with 60 ranked options (the most CreateFleet takes): choosing the
/// capacity type and the overrides (<c>Plan</c>), and building the whole CreateFleet request with its launch
/// templates already known (<c>PlanAndBuild</c>), as a launch after the first does. No request is sent.
/// </summary>
[MemoryDiagnoser]
public class FleetBenchmarks
{
    private AwsStandIn _standIn = null!;
    private FleetLauncher _launcher = null!;
    private LaunchRequest _request = null!;
    private ResolvedTemplate _template = null!;
    private UnavailableOfferings _unavailable = null!;

    [GlobalSetup]
    public void Setup()
    {
        _standIn = new AwsStandIn().Add(new Ec2StandIn()).StartAsync().GetAwaiter().GetResult();
        var options = new AwsOptions { ClusterName = "bench", ClusterEndpoint = "https://api.bench.example", ClusterCaBundle = "Q0E=", Region = "us-east-1" };
        var clients = new AwsClientFactory(options, new AwsEndpoints(k => k == "AWS_ENDPOINT_URL" ? _standIn.Endpoint.ToString() : null), new BasicAWSCredentials("AKIDEXAMPLE", "secret"));
        _unavailable = new UnavailableOfferings(TimeProvider.System);
        _launcher = new FleetLauncher(clients, new AwsPipelines(options, TimeProvider.System), options, _unavailable, TimeProvider.System, NullLogger<FleetLauncher>.Instance);
        var types = InstanceCatalog.BuiltIn.InstanceTypes()
            .Where(t => t.Requirements.Get(Labels.Arch)?.Allows("amd64") == true && t.Offerings.Any(o => o.CapacityType == Labels.CapacityTypeSpot))
            .OrderBy(t => t.Offerings.Min(o => o.PricePerHour))
            .Take(60)
            .ToList();
        _template = new ResolvedTemplate
        {
            Template = new NodeTemplate { Name = "default" },
            AmiFamily = "AL2",
            Subnets = [new SubnetInfo("subnet-a", "us-east-1a", "use1-az2", 4000), new SubnetInfo("subnet-b", "us-east-1b", "use1-az4", 4000), new SubnetInfo("subnet-c", "us-east-1c", "use1-az6", 4000)],
            SecurityGroupIds = ["sg-0123456789abcdef0"],
            Amis = new Dictionary<string, string> { ["amd64"] = "ami-0123456789abcdef0" },
            InstanceProfile = "KarpenterNodeInstanceProfile",
        };
        _request = new LaunchRequest
        {
            ClaimName = "default-bench-0001",
            ProvisionerName = "default",
            Template = _template.Template,
            InstanceTypes = types,
            Requirements = Requirements.Create(Requirement.In(Labels.CapacityType, Labels.CapacityTypeSpot, Labels.CapacityTypeOnDemand)),
            Labels = new Dictionary<string, string> { ["intent"] = "apps", [Labels.ProvisionerName] = "default" },
        };

        // The first build makes the launch template on the stand-in; the benchmark then measures the cached path.
        _ = PlanAndBuild().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup() => _standIn.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark]
    public int Plan() => FleetPlanner.Plan(_request, _template, _unavailable).Overrides.Count;

    [Benchmark]
    public async Task<int> PlanAndBuild()
    {
        var plan = FleetPlanner.Plan(_request, _template, _unavailable);
        var (request, _) = await _launcher.BuildAsync(_request, _template, plan, CancellationToken.None);
        return request.LaunchTemplateConfigs.Sum(c => c.Overrides.Count);
    }
}
