using Capstan.Controllers.Nodes;
using Capstan.Controllers.Provisioning;
using Capstan.Core.Cloud;
using Capstan.Core.Cluster;
using Capstan.Core.InstanceTypes;
using Capstan.Core.Placement;
using Capstan.Core.Pods;
using Capstan.Core.Provisioning;
using Capstan.Core.Resources;
using Capstan.Core.Scheduling;
using Capstan.Sandbox.Cluster;
using Capstan.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Capstan.Controllers.Tests;

/// <summary>The provisioning controller on the in-memory cluster, a fake cloud and a fake clock.</summary>
internal sealed partial class ControllerHarness : IDisposable
{
    public static readonly Offering[] TwoZones =
    [
        new("us-east-1a", Labels.CapacityTypeOnDemand, 0.34),
        new("us-east-1b", Labels.CapacityTypeOnDemand, 0.34),
    ];

    private readonly TestMeterFactory _meters = new();
    private int _claims;

    public ControllerHarness(IReadOnlyList<InstanceType>? types = null, ProvisioningOptions? options = null)
    {
        Options = options ?? new ProvisioningOptions();
        Cloud = new FakeCloud(types ?? DefaultTypes(), Time);
        Ledger = new PlacementLedger(Time, TimeSpan.FromMinutes(5));
        Batcher = new ProvisioningBatcher(Time, Options.BatchIdleDuration, Options.BatchMaxDuration);
        Trigger = new ProvisioningTrigger(Batcher);
        Metrics = new ProvisioningMetrics(_meters, Cluster);
        Controller = NewController();
        Lifecycle = new NodeLifecycleController(Cluster, Cluster, Cloud, Options, new NodeLifecycleOptions(), Time, NullLogger<NodeLifecycleController>.Instance);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 12, 2, 8, 0, 0, TimeSpan.Zero));

    public InMemoryCluster Cluster { get; } = new();

    public FakeCloud Cloud { get; }

    public PlacementLedger Ledger { get; private set; }

    public ProvisioningBatcher Batcher { get; }

    public ProvisioningTrigger Trigger { get; }

    public ProvisioningOptions Options { get; }

    public ProvisioningMetrics Metrics { get; }

    public TestMeterFactory MeterFactory => _meters;

    public ProvisioningController Controller { get; private set; }

    public NodeLifecycleController Lifecycle { get; }

    /// <summary>c6a-like types: 2, 4 and 8 vCPU with 4 GiB per vCPU, on demand in two zones, priced by size.</summary>
    public static IReadOnlyList<InstanceType> DefaultTypes() =>
    [
        Type("c6a.large", 2, 0.0765),
        Type("c6a.xlarge", 4, 0.153),
        Type("c6a.2xlarge", 8, 0.306),
    ];

    public static InstanceType Type(string name, int cpu, double price) =>
        FakeInstanceTypes.Create(name, cpu.ToString(System.Globalization.CultureInfo.InvariantCulture), $"{cpu * 2}Gi", 58,
            [.. TwoZones.Select(o => o with { PricePerHour = price })]);

    /// <summary>The tutorial's provisioner: on demand, label intent=apps, a node template by reference.</summary>
    public Provisioner AddProvisioner(string name = "default", ResourceList? limits = null, IReadOnlyList<Taint>? startupTaints = null)
    {
        Cluster.UpsertNodeTemplate(new NodeTemplate { Name = "default", SubnetSelector = new Dictionary<string, string> { ["k"] = "v" } });
        var provisioner = new Provisioner
        {
            Name = name,
            Labels = new Dictionary<string, string> { ["intent"] = "apps" },
            Annotations = new Dictionary<string, string> { ["example.com/owner"] = "team-apps" },
            Requirements = Requirements.Create(Requirement.In(Labels.CapacityType, Labels.CapacityTypeOnDemand)),
            Limits = limits,
            ProviderRef = "default",
            StartupTaints = startupTaints ?? [],
        };
        Cluster.UpsertProvisioner(provisioner);
        return provisioner;
    }

    /// <summary>Pending pods as kube-scheduler leaves them: PodScheduled=False, Unschedulable.</summary>
    public IReadOnlyList<PodRequest> AddUnschedulable(string prefix, int count, string cpu = "1", string memory = "1536Mi")
    {
        var template = new PodBuilder(prefix, "apps").Cpu(cpu).Memory(memory).NodeSelector("intent", "apps").Build();
        var pods = PodBuilder.Replicas(template, prefix, count);
        foreach (var pod in pods)
        {
            Cluster.UpsertPod(Unschedulable(pod));
        }

        return pods;
    }

    public PodView Unschedulable(PodRequest pod) => new()
    {
        Request = pod,
        ScheduledStatus = "False",
        ScheduledReason = PodView.UnschedulableReason,
        OwnerKind = "ReplicaSet",
        OwnerName = "inflate-6cbd8",
        CreatedAt = Time.GetUtcNow(),
    };

    /// <summary>One pass over everything provisionable now, as a closed batch would run it.</summary>
    public Task PassAsync() => Controller.ProvisionAsync(new HashSet<string>(StringComparer.Ordinal), CancellationToken.None);

    /// <summary>A controller as after a restart: same cluster and cloud, nothing in memory (a new ledger too).</summary>
    public ProvisioningController Restart()
    {
        Ledger = new PlacementLedger(Time, TimeSpan.FromMinutes(5));
        Controller = NewController();
        return Controller;
    }

    public IReadOnlyList<NodeView> CapstanNodes() => [.. Cluster.Nodes().Where(n => n.ProvisionerName is not null)];

    /// <summary>What the kubelet does when it registers: Ready, startup taints removed.</summary>
    public void Register(string nodeName)
    {
        var node = Cluster.FindNode(nodeName)!;
        var provisioner = Cluster.Provisioners().First(p => p.Name == node.ProvisionerName);
        Cluster.UpsertNode(node with
        {
            Ready = true,
            Taints = [.. node.Taints.Where(t => !provisioner.StartupTaints.Contains(t))],
        });
    }

    public void Dispose() => _meters.Dispose();

    private ProvisioningController NewController() => new(
        Cluster, Cluster, Cloud, Ledger, Batcher, Trigger,
        new InstanceTypeSource(Cloud, NullLogger<InstanceTypeSource>.Instance),
        new InFlightNodes(Time), Options, Metrics, Time, NullLogger<ProvisioningController>.Instance,
        provisioner => $"{provisioner}-claim{Interlocked.Increment(ref _claims)}",
        _nodeGroupScaler);
}
