using Capstan.Aws.AutoScaling;
using Capstan.Core.NodeGroups;

namespace Capstan.Aws.Tests.AutoScaling;

/// <summary>
/// The read world (EC2 types, offerings and prices, the Price List) with Auto Scaling and EC2's launch template
/// versions behind the same loopback endpoint, the Auto Scaling client signing on the world's fake clock.
/// </summary>
public sealed class NodeGroupWorld : IAsyncDisposable
{
    public const string Cluster = "demo-cluster";

    private NodeGroupWorld(ReadWorld read)
    {
        Read = read;
        Templates = new Ec2WithLaunchTemplateVersions(read.Ec2);
        read.StandIn.Add(Templates).Add(AutoScaling);
        Client = new AutoScalingClient(read.Clients, read.Options, read.Time);
    }

    public ReadWorld Read { get; }

    public AutoScalingFake AutoScaling { get; } = new();

    public Ec2WithLaunchTemplateVersions Templates { get; }

    public AutoScalingClient Client { get; }

    public ListLogger<AwsNodeGroupProvider> Log { get; } = new();

    /// <summary>The demo network, and the types EC2 offers and prices in us-east-1a-d (on demand at the catalog price, spot at 40%).</summary>
    public static async Task<NodeGroupWorld> StartAsync(params string[] types)
    {
        var read = await ReadWorld.StartAsync();
        read.WithDemoNetwork().WithTypes(types.Length > 0 ? types : ["m5.large", "m5a.large", "c5.xlarge", "g4dn.xlarge"]);
        return new NodeGroupWorld(read);
    }

    public AwsNodeGroupProvider Provider(int pageSize = 100)
    {
        var (types, _, _) = Read.Provider();
        return new AwsNodeGroupProvider(Client, new GroupTypeResolver(Client, Read.Ec2Client, Read.Pipelines, Read.Time), types, Read.Pipelines, Read.Options, Log)
        {
            PageSize = pageSize,
        };
    }

    /// <summary>Both discovery tags for the demo cluster, and any others.</summary>
    public static IReadOnlyList<TagDescription> Tags(params (string Key, string Value)[] extra) =>
    [
        new TagDescription { Key = NodeGroupTemplate.EnabledTag, Value = "true", PropagateAtLaunch = true },
        new TagDescription { Key = NodeGroupTemplate.Prefix + Cluster, Value = "owned", PropagateAtLaunch = true },
        .. extra.Select(e => new TagDescription { Key = e.Key, Value = e.Value }),
    ];

    /// <summary>A group on launch template <c>lt-0abc</c> ($Default) in 1a and 1b.</summary>
    public static AutoScalingGroup Group(string name, IReadOnlyList<TagDescription>? tags = null) => new()
    {
        AutoScalingGroupName = name,
        MinSize = 0,
        MaxSize = 10,
        DesiredCapacity = 1,
        AvailabilityZones = ["us-east-1b", "us-east-1a"],
        VPCZoneIdentifier = "subnet-0b1e4f6a2c3d59e01,subnet-07d2c9a8e6b4f3a12",
        LaunchTemplate = new LaunchTemplateSpecification { LaunchTemplateId = "lt-0abc", LaunchTemplateName = name + "-template", Version = "$Default" },
        Instances =
        [
            new Instance { InstanceId = "i-0" + name.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) + "aaa", InstanceType = "m5.large", AvailabilityZone = "us-east-1a", LifecycleState = "InService", HealthStatus = "Healthy" },
        ],
        Tags = tags ?? Tags(),
    };

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Read.DisposeAsync();
    }
}
