using Amazon.EC2;
using Amazon.Runtime;
using Amazon.SimpleSystemsManagement;
using Capstan.Aws.Catalog;
using Capstan.Aws.Clients;
using Capstan.Aws.Discovery;
using Capstan.Aws.Offerings;
using Capstan.Aws.Pricing;
using Capstan.Core.Cloud;
using Capstan.Sandbox.Aws;
using Microsoft.Extensions.Time.Testing;

namespace Capstan.Aws.Tests;

/// <summary>
/// The read side against the AWS stand-in through the real SDK clients: EC2, SSM and the Price List behind one
/// loopback endpoint, caches on a <see cref="FakeTimeProvider"/>, retries on the real clock with tiny delays.
/// </summary>
public sealed class ReadWorld : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    public static readonly IReadOnlyDictionary<string, string> Discovery = new Dictionary<string, string> { ["karpenter.sh/discovery"] = "demo-cluster" };

    private ReadWorld(AwsStandIn standIn, Ec2StandIn ec2, SsmStandIn ssm, PricingStandIn pricing)
    {
        StandIn = standIn;
        Ec2 = ec2;
        Ssm = ssm;
        Pricing = pricing;
        Options = new AwsOptions { ClusterName = "demo-cluster", Region = "us-east-1", KubernetesVersion = "1.29", DefaultInstanceProfile = "KarpenterNodeInstanceProfile", CallTimeout = TimeSpan.FromSeconds(10), MaxRetries = 5 };
        Clients = new AwsClientFactory(Options, new AwsEndpoints(k => k == "AWS_ENDPOINT_URL" ? standIn.Endpoint.ToString() : null), new BasicAWSCredentials("AKIDEXAMPLE", "secret"));
        Pipelines = new AwsPipelines(Options, TimeProvider.System, () => 0.5) { RetryBaseDelay = TimeSpan.FromMilliseconds(1), RetryMaxDelay = TimeSpan.FromMilliseconds(5) };
        Unavailable = new UnavailableOfferings(Time);
        Ec2Client = Clients.CreateEc2();
        SsmClient = Clients.CreateSsm();
        PricingClient = new PricingClient(Clients, Options, Time);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero));

    public AwsStandIn StandIn { get; }

    public Ec2StandIn Ec2 { get; }

    public SsmStandIn Ssm { get; }

    public PricingStandIn Pricing { get; }

    public AwsOptions Options { get; }

    public AwsClientFactory Clients { get; }

    public AwsPipelines Pipelines { get; }

    public UnavailableOfferings Unavailable { get; }

    public AmazonEC2Client Ec2Client { get; }

    public AmazonSimpleSystemsManagementClient SsmClient { get; }

    public PricingClient PricingClient { get; }

    public ListLogger<OnDemandPrices> PriceLog { get; } = new();

    public ListLogger<SpotPrices> SpotLog { get; } = new();

    public static async Task<ReadWorld> StartAsync()
    {
        var ec2 = new Ec2StandIn();
        var ssm = new SsmStandIn();
        var pricing = new PricingStandIn();
        var standIn = new AwsStandIn();
        standIn.Add(ec2).Add(ssm).Add(pricing);
        await standIn.StartAsync().WaitAsync(Timeout);
        return new ReadWorld(standIn, ec2, ssm, pricing);
    }

    /// <summary>The demo cluster's three private subnets (1a, 1b, 1c) and its security group, as in the samples.</summary>
    public ReadWorld WithDemoNetwork()
    {
        Ec2.AddSubnet("subnet-0b1e4f6a2c3d59e01", "us-east-1a", Tags("demo-cluster-private-us-east-1a"), 8059, zoneId: "use1-az2");
        Ec2.AddSubnet("subnet-07d2c9a8e6b4f3a12", "us-east-1b", Tags("demo-cluster-private-us-east-1b"), 8137, zoneId: "use1-az4");
        Ec2.AddSubnet("subnet-0e9f8d7c6b5a41320", "us-east-1c", Tags("demo-cluster-private-us-east-1c"), 8174, zoneId: "use1-az6");
        Ec2.AddSecurityGroup("sg-0c4d2e7f9a1b3c5d6", "eks-cluster-sg-demo-cluster-1873204651", new Dictionary<string, string>
        {
            ["karpenter.sh/discovery"] = "demo-cluster",
            ["kubernetes.io/cluster/demo-cluster"] = "owned",
        });
        return this;
    }

    /// <summary>The EKS-optimised AL2 parameters for Kubernetes 1.29.</summary>
    public ReadWorld WithAl2Parameters()
    {
        Ssm.Put("/aws/service/eks/optimized-ami/1.29/amazon-linux-2/recommended/image_id", "ami-0a1b2c3d4e5f60001");
        Ssm.Put("/aws/service/eks/optimized-ami/1.29/amazon-linux-2-arm64/recommended/image_id", "ami-0a1b2c3d4e5f60002");
        Ssm.Put("/aws/service/eks/optimized-ami/1.29/amazon-linux-2-gpu/recommended/image_id", "ami-0a1b2c3d4e5f60003");
        return this;
    }

    public TemplateResolver Resolver(int pageSize = 1000) =>
        new(Ec2Client, SsmClient, Pipelines, Options, Time, new ListLogger<TemplateResolver>()) { PageSize = pageSize };

    public (InstanceTypeProvider Provider, SpotPrices Spot, OnDemandPrices OnDemand) Provider(TemplateResolver? resolver = null, int typesPage = 100)
    {
        var spot = new SpotPrices(Ec2Client, Pipelines, Time, SpotLog);
        var onDemand = new OnDemandPrices(PricingClient, Pipelines, "us-east-1", Time, PriceLog);
        var provider = new InstanceTypeProvider(Ec2Client, resolver ?? Resolver(), spot, onDemand, Pipelines, Options, Unavailable, Time, new ListLogger<InstanceTypeProvider>())
        {
            InstanceTypesPageSize = typesPage,
        };
        return (provider, spot, onDemand);
    }

    /// <summary>Seeds EC2 with catalog types offered in us-east-1a-d, and prices them (on demand at the catalog price, spot at 40%).</summary>
    public ReadWorld WithTypes(params string[] names)
    {
        var specs = names.Select(n => InstanceCatalog.BuiltIn.Specs[n]).ToList();
        Ec2.AddInstanceTypes(specs, ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d"]);
        Pricing.AddInstancePrices(specs, "us-east-1");
        foreach (var spec in specs.Where(s => s.SpotSupported))
        {
            foreach (var zone in new[] { "us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d" })
            {
                Ec2.AddSpotPrice(spec.Name, zone, Math.Round(spec.OnDemandPricePerHour * 0.4, 6), Time.GetUtcNow().AddHours(-1));
            }
        }

        return this;
    }

    public static NodeTemplate Template(IReadOnlyDictionary<string, string>? subnets = null, IReadOnlyDictionary<string, string>? groups = null) => new()
    {
        Name = "default",
        SubnetSelector = subnets ?? Discovery,
        SecurityGroupSelector = groups ?? Discovery,
    };

    public async ValueTask DisposeAsync()
    {
        Ec2Client.Dispose();
        SsmClient.Dispose();
        PricingClient.Dispose();
        await StandIn.DisposeAsync();
    }

    private static Dictionary<string, string> Tags(string name) => new()
    {
        ["Name"] = name,
        ["karpenter.sh/discovery"] = "demo-cluster",
        ["kubernetes.io/role/internal-elb"] = "1",
    };
}
