using Capstan.Core.Resources;
using Capstan.Core.Scheduling;
using Capstan.Kubernetes.Conversions;
using k8s;
using k8s.Models;

namespace Capstan.Kubernetes.Tests.Conversions;

public sealed class PodConversionsTests
{
    private static V1Pod Pod(string yaml) => KubernetesYaml.Deserialize<V1Pod>(yaml);

    [Fact]
    public void Requests_InitContainersByMax_SidecarsAndOverheadAdded()
    {
        var pod = Pod("""
            apiVersion: v1
            kind: Pod
            metadata: { name: web, namespace: shop }
            spec:
              overhead: { cpu: 100m, memory: 64Mi }
              initContainers:
                - name: migrate
                  resources: { requests: { cpu: "2", memory: 256Mi } }
                - name: proxy
                  restartPolicy: Always
                  resources: { requests: { cpu: 200m, memory: 128Mi } }
              containers:
                - name: app
                  resources: { requests: { cpu: 500m, memory: 1Gi } }
                - name: log
                  resources: { requests: { cpu: 100m, memory: 64Mi } }
            """);

        var request = PodConversions.ToPodRequest(pod);

        Assert.Equal("shop/web", request.Key);
        Assert.Equal(Quantity.Parse("2300m"), request.Requests.Cpu);      // max(0.6 + 0.2, 2 + 0.2) + 0.1
        Assert.Equal(Quantity.Parse("1280Mi"), request.Requests.Memory);  // max(1088 + 128, 256 + 128) + 64
        Assert.Equal(Quantity.FromUnits(1), request.Requests.Pods);
    }

    [Fact]
    public void Requests_LimitsOnly_RequestTheLimits()
    {
        var pod = Pod("""
            apiVersion: v1
            kind: Pod
            metadata: { name: web }
            spec:
              containers:
                - name: app
                  resources: { limits: { cpu: "1", memory: 2G, nvidia.com/gpu: "1" } }
            """);

        var request = PodConversions.ToPodRequest(pod);

        Assert.Equal("default", request.Namespace);
        Assert.Equal(Quantity.Parse("1"), request.Requests.Cpu);
        Assert.Equal(Quantity.Parse("2G"), request.Requests.Memory);
        Assert.Equal(Quantity.FromUnits(1), request.Requests.Get("nvidia.com/gpu"));
    }

    [Fact]
    public void Constraints_AreConvertedWithNormalisedKeys()
    {
        var pod = Pod("""
            apiVersion: v1
            kind: Pod
            metadata:
              name: web
              labels: { app: web }
              annotations: { karpenter.sh/do-not-evict: "true" }
            spec:
              nodeSelector: { intent: apps }
              tolerations:
                - { key: dedicated, operator: Equal, value: group2, effect: NoSchedule }
                - { operator: Exists }
              affinity:
                nodeAffinity:
                  requiredDuringSchedulingIgnoredDuringExecution:
                    nodeSelectorTerms:
                      - matchExpressions: [ { key: failure-domain.beta.kubernetes.io/zone, operator: In, values: [us-east-1a] } ]
                      - matchExpressions: [ { key: kubernetes.io/arch, operator: NotIn, values: [arm64] } ]
                  preferredDuringSchedulingIgnoredDuringExecution:
                    - weight: 20
                      preference: { matchExpressions: [ { key: karpenter.sh/capacity-type, operator: In, values: [spot] } ] }
                podAntiAffinity:
                  requiredDuringSchedulingIgnoredDuringExecution:
                    - topologyKey: kubernetes.io/hostname
                      labelSelector: { matchLabels: { app: web } }
                      namespaceSelector: {}
                podAffinity:
                  preferredDuringSchedulingIgnoredDuringExecution:
                    - weight: 5
                      podAffinityTerm:
                        topologyKey: topology.kubernetes.io/zone
                        labelSelector: { matchExpressions: [ { key: app, operator: In, values: [db] } ] }
                        namespaces: [data]
                        namespaceSelector: { matchLabels: { tier: data } }
              topologySpreadConstraints:
                - { maxSkew: 2, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: ScheduleAnyway, labelSelector: { matchLabels: { app: web } } }
              containers:
                - name: app
                  ports: [ { containerPort: 80, hostPort: 8080 } ]
            """);

        var request = PodConversions.ToPodRequest(pod);

        Assert.Equal("intent In [apps]", request.NodeSelector.ToString());
        Assert.Equal(["topology.kubernetes.io/zone In [us-east-1a]", "kubernetes.io/arch NotIn [arm64]"], request.RequiredAffinity.Select(r => r.ToString()));
        Assert.Equal(20, Assert.Single(request.PreferredAffinity).Weight);
        Assert.Equal(Toleration.Equal("dedicated", "group2", TaintEffect.NoSchedule), request.Tolerations[0]);
        Assert.Equal(Toleration.Exists(), request.Tolerations[1]);
        var anti = Assert.Single(request.RequiredPodAntiAffinity);
        Assert.True(anti.AllNamespaces);
        Assert.Equal(Labels.Hostname, anti.TopologyKey);
        var preferred = Assert.Single(request.PreferredPodAffinity);
        Assert.Equal(["data"], preferred.Term.Namespaces);
        Assert.False(preferred.Term.AllNamespaces);
        Assert.Equal("tier In [data]", preferred.Term.NamespaceSelector?.ToString());
        Assert.Null(anti.NamespaceSelector);
        var spread = Assert.Single(request.TopologySpread);
        Assert.False(spread.DoNotSchedule);
        Assert.Equal(2, spread.MaxSkew);
        Assert.Equal(new HostPort("TCP", 8080), Assert.Single(request.HostPorts));
        Assert.True(request.DoNotEvict);
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("8", 8_000)]
    [InlineData("7850m", 7_850)]
    [InlineData("1.5Gi", 1_610_612_736_000)]
    [InlineData("83873772Ki", 85_886_742_528_000)]
    [InlineData("1e3", 1_000_000)]
    [InlineData("100u", 1)] // finer than a thousandth: kept to the nano-unit, its milli-value rounded up
    [InlineData("0.5n", 1)]
    [InlineData("1.00000000000000000000000000000001", 1_001)] // more digits than a decimal holds: rounded up all the same
    [InlineData("2000000000000000", 2_000_000_000_000_000_000)]
    public void ToResourceList_ReadsEachQuantityAsItsTextSays(string text, long milli)
    {
        var quantity = new ResourceQuantity(text);

        var list = PodConversions.ToResourceList(new Dictionary<string, ResourceQuantity> { ["cpu"] = quantity });

        Assert.Equal(milli, list.Cpu.MilliValue);
        Assert.Equal(Quantity.Parse(quantity.ToString()), list.Cpu);
    }

    [Fact]
    public void BinaryQuantityBeyondInt64_IsCappedAsKubernetesCapsIt()
    {
        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Spec = new V1PodSpec
            {
                Containers = [new V1Container { Name = "app", Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("99999999999999Ei") } } }],
            },
        };

        var request = PodConversions.ToPodRequest(pod);

        Assert.Equal(long.MaxValue, request.Requests.Cpu.Value);
        Assert.Equal("9223372036854775807", request.Requests.Cpu.ToString());
    }

    [Theory]
    [InlineData("\"true\"", true)]
    [InlineData("\"false\"", false)]
    [InlineData("\"maybe\"", null)]
    public void SafeToEvict_ReadFromClusterAutoscalersAnnotation(string value, bool? expected)
    {
        var pod = Pod($$"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: web
              namespace: shop
              annotations: { cluster-autoscaler.kubernetes.io/safe-to-evict: {{value}} }
            spec:
              containers: [{ name: app }]
            """);

        Assert.Equal(expected, PodConversions.ToPodRequest(pod).SafeToEvict);
    }

    [Theory]
    [InlineData("[{ name: data, hostPath: { path: /var/data } }]", true)]
    [InlineData("[{ name: scratch, emptyDir: {} }]", true)]
    [InlineData("[{ name: cache, emptyDir: { medium: Memory } }]", false)]
    [InlineData("[{ name: config, configMap: { name: app } }]", false)]
    public void LocalStorage_IsAHostPathOrADiskBackedEmptyDir(string volumes, bool expected)
    {
        var pod = Pod($$"""
            apiVersion: v1
            kind: Pod
            metadata: { name: web, namespace: shop }
            spec:
              containers: [{ name: app }]
              volumes: {{volumes}}
            """);

        Assert.Equal(expected, PodConversions.ToPodRequest(pod).HasLocalStorage);
    }
}
