using Capstan.Core.Pods;
using Capstan.Core.Resources;
using Capstan.Core.Scheduling;

namespace Capstan.Testing;

/// <summary>
/// Karpenter's scheduling-benchmark pod mix: one fifth each of generic pods,
/// zonal spread, hostname spread, zonal self-affinity and hostname anti-affinity (app=nginx), with cpu
/// from {100m, 250m, 500m, 1, 1.5} and memory from {100Mi, 256Mi, 512Mi, 1Gi, 2Gi, 4Gi}, seeded.
/// </summary>
public static class DiversePods
{
    private static readonly string[] s_cpu = ["100m", "250m", "500m", "1", "1.5"];
    private static readonly string[] s_memory = ["100Mi", "256Mi", "512Mi", "1Gi", "2Gi", "4Gi"];

    public static IReadOnlyList<PodRequest> Create(int count, int seed = 42, bool includeSelfAffinity = true)
    {
        var random = new Random(seed);
        var fifth = count / 5;
        var pods = new List<PodRequest>(count);
        var zoneSpread = new LabelSelector(Requirements.Create(Requirement.In("spread", "zone")));
        var hostSpread = new LabelSelector(Requirements.Create(Requirement.In("spread", "host")));
        var affinity = new LabelSelector(Requirements.Create(Requirement.In("affinity", "zone")));
        var nginx = LabelSelector.MatchLabels("app", "nginx");
        for (var i = 0; i < count; i++)
        {
            var kind = fifth == 0 ? 0 : Math.Min(i / fifth, 5);
            var requests = PodRequest.EffectiveRequests([ResourceList.Create(
                (ResourceNames.Cpu, Quantity.Parse(s_cpu[random.Next(s_cpu.Length)])),
                (ResourceNames.Memory, Quantity.Parse(s_memory[random.Next(s_memory.Length)])))]);
            var pod = new PodRequest { Namespace = "default", Name = $"pod-{i}", Uid = $"uid-{i}", Requests = requests, CreationOrder = i };
            pods.Add(kind switch
            {
                1 => pod with
                {
                    Labels = new Dictionary<string, string> { ["spread"] = "zone" },
                    TopologySpread = [new TopologySpreadConstraint(1, Labels.Zone, true, zoneSpread)],
                },
                2 => pod with
                {
                    Labels = new Dictionary<string, string> { ["spread"] = "host" },
                    TopologySpread = [new TopologySpreadConstraint(1, Labels.Hostname, true, hostSpread)],
                },
                3 when includeSelfAffinity => pod with
                {
                    Labels = new Dictionary<string, string> { ["affinity"] = "zone" },
                    RequiredPodAffinity = [PodAffinityTerm.SameNamespace(affinity, Labels.Zone)],
                },
                4 => pod with
                {
                    Labels = new Dictionary<string, string> { ["app"] = "nginx" },
                    RequiredPodAntiAffinity = [PodAffinityTerm.SameNamespace(nginx, Labels.Hostname)],
                },
                _ => pod,
            });
        }

        return pods;
    }
}
