using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Capstan.Core.InstanceTypes;
using Capstan.Sandbox.Aws;
using Capstan.Sandbox.Kubernetes;
using Microsoft.Extensions.Logging;

namespace Capstan.Sandbox.World;

/// <summary>What the world outside Capstan is made of: its cluster name, zones, catalog and simulated delays.</summary>
public sealed record SandboxWorldOptions
{
    public string ClusterName { get; init; } = "capstan-sandbox";

    public string Region { get; init; } = "us-east-1";

    public IReadOnlyList<string> Zones { get; init; } = ["us-east-1a", "us-east-1b", "us-east-1c"];

    /// <summary>The instance types EC2 offers, with their on-demand prices.</summary>
    public required IReadOnlyList<InstanceTypeSpec> InstanceTypes { get; init; }

    /// <summary>Spot offerings (type, zone, price per hour).</summary>
    public IReadOnlyList<(string InstanceType, string Zone, double Price)> SpotPrices { get; init; } = [];

    /// <summary>The SQS queue of interruption events.</summary>
    public string InterruptionQueue { get; init; } = "capstan-sandbox-interruptions";

    public TimeSpan LaunchLatency { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan NodeBootTime { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan PodStartTime { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The Auto Scaling groups (node groups) the world creates at start.</summary>
    public IReadOnlyList<SandboxNodeGroup> NodeGroups { get; init; } = [];
}

/// <summary>
/// The sandbox's world outside Capstan, all in this process and all on one clock: the Kubernetes API endpoint
/// (<see cref="ApiServer"/> over an <see cref="ObjectStore"/>), the AWS endpoint (EC2 with the catalog's types,
/// subnets and security groups tagged for discovery, SSM with the EKS AMI parameters, the Price List, SQS with the
/// interruption queue, STS, Auto Scaling with the scenario's node groups), and the cluster's other actors: kube-scheduler (<see cref="SandboxScheduler"/>), the
/// kubelets (<see cref="SandboxKubelets"/>) and kube-controller-manager's workload controllers. Capstan itself runs
/// unchanged and talks to it over the wire.
/// </summary>
public sealed class SandboxWorld : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _actors = [];
    private readonly ILoggerFactory _loggers;
    private readonly Dictionary<string, double> _onDemandPrices;
    private readonly Dictionary<(string Type, string Zone), double> _spotPrices;

    private SandboxWorld(SandboxWorldOptions options, TimeProvider time, ILoggerFactory loggers)
    {
        Options = options;
        Time = time;
        _onDemandPrices = options.InstanceTypes.ToDictionary(t => t.Name, t => t.OnDemandPricePerHour, StringComparer.Ordinal);
        _spotPrices = options.SpotPrices.GroupBy(p => (p.InstanceType, p.Zone)).ToDictionary(g => g.Key, g => g.First().Price);
        _loggers = loggers;
        Store = new ObjectStore(time);
        Ec2 = new Ec2StandIn(time) { Region = options.Region, BootDelay = options.LaunchLatency };
        Sqs = new SqsStandIn(time) { Region = options.Region };
        Aws = new AwsStandIn(time);
        AutoScaling = new AutoScalingStandIn(Ec2, time, loggers.CreateLogger<AutoScalingStandIn>());
        Kubelets = new SandboxKubelets(Store, Ec2, time, loggers.CreateLogger<SandboxKubelets>())
        {
            BootTime = options.NodeBootTime,
            PodStartTime = options.PodStartTime,
            AutoScaling = AutoScaling,
        };
    }

    public SandboxWorldOptions Options { get; }

    public TimeProvider Time { get; }

    public ObjectStore Store { get; }

    public ApiServer Api { get; private set; } = null!;

    public AwsStandIn Aws { get; }

    public Ec2StandIn Ec2 { get; }

    public SqsStandIn Sqs { get; }

    /// <summary>EC2 Auto Scaling: the node groups.</summary>
    public AutoScalingStandIn AutoScaling { get; }

    public SandboxKubelets Kubelets { get; }

    public SandboxScheduler? Scheduler { get; private set; }

    /// <summary>The API token kubectl and Capstan present.</summary>
    public string Token { get; } = "sandbox-" + Guid.NewGuid().ToString("N")[..16];

    /// <summary>Starts the API and AWS endpoints (nothing acts yet: see <see cref="StartActors"/>).</summary>
    public static async Task<SandboxWorld> StartAsync(SandboxWorldOptions options, TimeProvider time, X509Certificate2 serverCertificate, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggers);
        var world = new SandboxWorld(options, time, loggers);
        // Capstan's own namespace, as manifests/namespace.yaml makes it: its leader election lease lives there.
        world.Store.Create(ApiResources.Namespaces, new JsonObject { ["metadata"] = new JsonObject { ["name"] = "capstan" } });
        world.Api = await ApiServer.StartAsync(world.Store, serverCertificate, world.Token).ConfigureAwait(false);
        var apiLogger = loggers.CreateLogger<ApiServer>();
        world.Api.Failed = (request, e) => SandboxLog.ApiRequestFailed(apiLogger, request, e);

        var ssm = new SsmStandIn();
        var pricing = new PricingStandIn();
        world.Aws.Add(world.Ec2).Add(ssm).Add(pricing).Add(world.Sqs).Add(new StsStandIn()).Add(world.AutoScaling);
        world.Sqs.CreateQueue(options.InterruptionQueue);
        var discovery = new Dictionary<string, string>
        {
            ["karpenter.sh/discovery"] = options.ClusterName,
            ["alpha.eksctl.io/cluster-name"] = options.ClusterName,
            [$"kubernetes.io/cluster/{options.ClusterName}"] = "owned",
        };
        for (var i = 0; i < options.Zones.Count; i++)
        {
            world.Ec2.AddSubnet($"subnet-0sandbox{i}", options.Zones[i], discovery, 8000);
        }

        world.Ec2.AddSecurityGroup("sg-0sandbox", $"eks-cluster-sg-{options.ClusterName}", discovery);
        world.Ec2.AddInstanceTypes(options.InstanceTypes, options.Zones);
        foreach (var (type, zone, price) in options.SpotPrices)
        {
            world.Ec2.AddSpotPrice(type, zone, price);
        }

        pricing.AddInstancePrices(options.InstanceTypes, options.Region);
        foreach (var group in options.NodeGroups)
        {
            world.AddNodeGroup(group);
        }

        foreach (var version in new[] { "1.27", "1.28", "1.29", "1.30" })
        {
            ssm.Put($"/aws/service/eks/optimized-ami/{version}/amazon-linux-2/recommended/image_id", "ami-0sandboxal2x86");
            ssm.Put($"/aws/service/eks/optimized-ami/{version}/amazon-linux-2-arm64/recommended/image_id", "ami-0sandboxal2arm");
            ssm.Put($"/aws/service/eks/optimized-ami/{version}/amazon-linux-2-gpu/recommended/image_id", "ami-0sandboxal2gpu");
            ssm.Put($"/aws/service/bottlerocket/aws-k8s-{version}/x86_64/latest/image_id", "ami-0sandboxbrx86");
            ssm.Put($"/aws/service/bottlerocket/aws-k8s-{version}/arm64/latest/image_id", "ami-0sandboxbrarm");
        }

        await world.Aws.StartAsync().ConfigureAwait(false);
        return world;
    }

    /// <summary>
    /// Starts the cluster's actors: the kubelets, the workload controllers and, given the extender's URL prefix and a
    /// client for it, kube-scheduler with Capstan as its extender.
    /// </summary>
    public void StartActors(HttpClient? extender)
    {
        Scheduler = new SandboxScheduler(Store, extender, Time, _loggers.CreateLogger<SandboxScheduler>());
        _actors.Add(Task.Run(() => Kubelets.RunAsync(_stop.Token)));
        _actors.Add(Task.Run(() => AutoScaling.RunAsync(_stop.Token)));
        _actors.Add(Task.Run(() => Scheduler.RunAsync(_stop.Token)));
        var workloads = new WorkloadControllers(Store, Time, _loggers.CreateLogger<WorkloadControllers>());
        _actors.Add(Task.Run(() => workloads.RunAsync(_stop.Token)));
    }

    /// <summary>
    /// <c>kubectl apply</c> of one object: created when new, else its fields merged onto the stored one; both through
    /// admission (Capstan's webhooks), as the API server does for kubectl.
    /// </summary>
    public async Task<string> ApplyAsync(JsonObject obj, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var resource = ApiResources.ForKind((string?)obj["apiVersion"] ?? "", (string?)obj["kind"] ?? "")
            ?? throw ApiException.BadRequest($"the sandbox does not serve {(string?)obj["apiVersion"]} {(string?)obj["kind"]}");
        var name = ObjectStore.NameOf(obj);
        var ns = resource.Namespaced ? ObjectStore.NamespaceOf(obj) ?? "default" : null;
        if (resource.Namespaced)
        {
            ((JsonObject)obj["metadata"]!)["namespace"] = ns;
        }

        var current = Store.Get(resource, ns, name);
        if (current is null)
        {
            var (admitted, _) = await Api.Admission.AdmitAsync(resource, "CREATE", obj, null, cancellationToken).ConfigureAwait(false);
            Store.Create(resource, admitted);
            return $"{resource.Singular}/{name} created";
        }

        var merged = (JsonObject)Patches.MergePatch(current.DeepClone(), obj)!;
        var (next, _) = await Api.Admission.AdmitAsync(resource, "UPDATE", merged, current, cancellationToken).ConfigureAwait(false);
        Store.Update(resource, ns, name, _ => next);
        return $"{resource.Singular}/{name} configured";
    }

    /// <summary>
    /// Creates a node group: a launch template (the EKS AMI for the first type's architecture, the cluster's security
    /// group and instance profile) and an Auto Scaling group in the subnets of its zones, with its tags.
    /// </summary>
    public AutoScalingGroupState AddNodeGroup(SandboxNodeGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        var cluster = Options.ClusterName;
        var arm = group.InstanceTypes.Count > 0 && Ec2.InstanceTypeOf(group.InstanceTypes[0])?.Architecture == "arm64";
        var data = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ImageId"] = arm ? "ami-0sandboxal2arm" : "ami-0sandboxal2x86",
            ["IamInstanceProfile.Name"] = $"eks-node-{cluster}-{group.Name}",
            ["SecurityGroupId.1"] = "sg-0sandbox",
            ["MetadataOptions.HttpTokens"] = "required",
            ["MetadataOptions.HttpPutResponseHopLimit"] = "2",
            ["TagSpecification.1.ResourceType"] = "instance",
            ["TagSpecification.1.Tag.1.Key"] = "Name",
            ["TagSpecification.1.Tag.1.Value"] = $"{cluster}-{group.Name}-node",
        };
        var single = group.InstanceTypes.Count == 1 && group.CapacityType == "on-demand";
        if (single)
        {
            data["InstanceType"] = group.InstanceTypes[0];
        }

        var template = Ec2.AddLaunchTemplate($"eks-{cluster}-{group.Name}", data);
        var zones = group.Zones ?? Options.Zones;
        return AutoScaling.AddGroup(new AutoScalingGroupSpec
        {
            Name = group.Name,
            MinSize = group.MinSize,
            MaxSize = group.MaxSize,
            DesiredCapacity = group.DesiredCapacity,
            SubnetIds = [.. Ec2.Subnets.Where(s => zones.Contains(s.Zone)).Select(s => s.SubnetId)],
            LaunchTemplateId = template.Id,
            OverrideInstanceTypes = single ? [] : group.InstanceTypes,
            CapacityType = group.CapacityType,
            Tags = group.GroupTags(cluster),
        });
    }

    /// <summary>What EC2 charges per hour for an offering (spot: the zone's price; unknown: 0).</summary>
    public double PriceOf(string instanceType, string zone, string capacityType)
    {
        if (capacityType == "spot" && _spotPrices.TryGetValue((instanceType, zone), out var spot))
        {
            return spot;
        }

        return _onDemandPrices.GetValueOrDefault(instanceType);
    }

    /// <summary><c>kubectl delete</c> of one object; false when it was not there.</summary>
    public bool Delete(string apiVersion, string kind, string? objectNamespace, string name)
    {
        var resource = ApiResources.ForKind(apiVersion, kind) ?? throw ApiException.BadRequest($"the sandbox does not serve {apiVersion} {kind}");
        try
        {
            Store.Delete(resource, resource.Namespaced ? objectNamespace ?? "default" : null, name);
            return true;
        }
        catch (ApiException e) when (e.Code == 404)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_actors).ConfigureAwait(false);
        await Api.DisposeAsync().ConfigureAwait(false);
        await Aws.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }
}
