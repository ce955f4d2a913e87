using Amazon.EC2;
using Amazon.Runtime;
using Capstan.Aws.Catalog;
using Capstan.Aws.Clients;
using Capstan.Aws.Discovery;
using Capstan.Aws.Instances;
using Capstan.Aws.Launch;
using Capstan.Aws.Offerings;
using Capstan.Core.Cloud;
using Capstan.Core.InstanceTypes;
using Capstan.Core.Scheduling;
using Capstan.Sandbox.Aws;
using Microsoft.Extensions.Time.Testing;
using InstanceType = Capstan.Core.InstanceTypes.InstanceType;

namespace Capstan.Aws.Tests.Launch;

/// <summary>
/// The real AmazonEC2Client against the EC2 stand-in, with a launcher and an instance repository on it. The EC2
/// world runs on a fake clock (boot and shutdown delays, the unavailable-offerings TTL); calls and retries run on
/// the real one with tiny delays.
/// </summary>
public sealed class LaunchWorld : IAsyncDisposable
{
    public const string Cluster = "demo-cluster";
    public const string Endpoint = "https://ABCDEF.gr7.us-east-1.eks.amazonaws.com";
    public const string CaBundle = "Q0EtQlVORExF";

    private readonly List<AmazonEC2Client> _clients = [];

    private LaunchWorld(AwsStandIn standIn, Ec2StandIn ec2, AwsOptions options, FakeTimeProvider clock)
    {
        StandIn = standIn;
        Ec2 = ec2;
        Options = options;
        Clock = clock;
        Unavailable = new UnavailableOfferings(clock);
        Factory = new AwsClientFactory(options, new AwsEndpoints(k => k == "AWS_ENDPOINT_URL" ? standIn.Endpoint.ToString() : null), new BasicAWSCredentials("AKIDEXAMPLE", "secret"));
        Pipelines = NewPipelines();
        Launcher = NewLauncher();
        Instances = new InstanceRepository(Client(), Pipelines, options, TimeProvider.System, InstanceLogs);
    }

    public AwsStandIn StandIn { get; }

    public Ec2StandIn Ec2 { get; }

    public AwsOptions Options { get; }

    public FakeTimeProvider Clock { get; }

    public UnavailableOfferings Unavailable { get; }

    public AwsClientFactory Factory { get; }

    public AwsPipelines Pipelines { get; }

    public FleetLauncher Launcher { get; private set; }

    public InstanceRepository Instances { get; }

    public RecordingLogger<FleetLauncher> Logs { get; } = new();

    public RecordingLogger<InstanceRepository> InstanceLogs { get; } = new();

    public static readonly ResolvedTemplate Template = new()
    {
        Template = new NodeTemplate { Name = "default", Context = "ctx-capstan" },
        AmiFamily = AmiFamilies.AL2,
        Subnets =
        [
            new SubnetInfo("subnet-a2", "us-east-1a", "use1-az2", 500),
            new SubnetInfo("subnet-b1", "us-east-1b", "use1-az4", 200),
            new SubnetInfo("subnet-a1", "us-east-1a", "use1-az2", 100),
            new SubnetInfo("subnet-c1", "us-east-1c", "use1-az6", 50),
        ],
        SecurityGroupIds = ["sg-0c4d2e7f9a1b3c5d6", "sg-0aaa1111bbbb22223"],
        Amis = new Dictionary<string, string> { ["amd64"] = "ami-0amd64", ["arm64"] = "ami-0arm64" },
        InstanceProfile = "KarpenterNodeInstanceProfile-demo",
    };

    public static async Task<LaunchWorld> StartAsync(TimeSpan? callTimeout = null, int maxRetries = 5)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 8, 20, 14, 0, 0, TimeSpan.Zero));
        var ec2 = new Ec2StandIn(clock);
        var standIn = new AwsStandIn(TimeProvider.System).Add(ec2);
        await standIn.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var options = new AwsOptions
        {
            ClusterName = Cluster,
            ClusterEndpoint = Endpoint,
            ClusterCaBundle = CaBundle,
            Region = "us-east-1",
            CallTimeout = callTimeout ?? TimeSpan.FromSeconds(10),
            MaxRetries = maxRetries,
        };
        return new LaunchWorld(standIn, ec2, options, clock);
    }

    /// <summary>A fresh launcher on the same world, as after a restart (nothing remembered).</summary>
    public FleetLauncher NewLauncher(IAmazonEC2? client = null)
    {
        Launcher = new FleetLauncher(client ?? Client(), Pipelines, Options, Unavailable, TimeProvider.System, Logs)
        {
            DescribeInterval = TimeSpan.FromMilliseconds(20),
        };
        return Launcher;
    }

    public AwsPipelines NewPipelines() => new(Options, TimeProvider.System, () => 0.5)
    {
        RetryBaseDelay = TimeSpan.FromMilliseconds(2),
        RetryMaxDelay = TimeSpan.FromMilliseconds(20),
    };

    public AmazonEC2Client Client()
    {
        var client = Factory.CreateEc2();
        _clients.Add(client);
        return client;
    }

    /// <summary>An instance type from the built-in catalog with offerings in the three zones at the given prices.</summary>
    public static InstanceType Type(string name, double spot, double onDemand, params string[] zones)
    {
        var spec = InstanceCatalog.BuiltIn.Specs[name];
        zones = zones.Length == 0 ? ["us-east-1a", "us-east-1b", "us-east-1c"] : zones;
        var offerings = zones.SelectMany(z => new[]
        {
            new Offering(z, Labels.CapacityTypeSpot, spot),
            new Offering(z, Labels.CapacityTypeOnDemand, onDemand),
        }).ToList();
        return InstanceTypeFactory.Create(spec, offerings);
    }

    /// <summary>The first general-purpose amd64 types of the catalog (no GPU, offered, by name).</summary>
    public static IReadOnlyList<string> Amd64Types(int count) =>
        [.. InstanceCatalog.BuiltIn.Specs.Values
            .Where(s => s.Architecture == "amd64" && s.GpuCount == 0 && s.OnDemandPricePerHour > 0 && !s.BareMetal)
            .Select(s => s.Name).Order(StringComparer.Ordinal).Take(count)];

    public static LaunchRequest Request(string claim, IReadOnlyList<InstanceType> types, params string[] capacityTypes) => new()
    {
        ClaimName = claim,
        ProvisionerName = "default",
        Template = Template.Template,
        InstanceTypes = types,
        Requirements = capacityTypes.Length == 0
            ? Requirements.Empty
            : Requirements.Create(Requirement.In(Labels.CapacityType, capacityTypes)),
        Labels = new Dictionary<string, string> { ["team"] = "payments" },
    };

    public AwsCall OnlyCall(string action) => Assert.Single(StandIn.CallsOf("ec2", action));

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        await StandIn.DisposeAsync();
    }
}
