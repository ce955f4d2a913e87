using Capstan.Core.Pods;
using Capstan.Core.Resources;
using Capstan.Core.Scheduling;

namespace Capstan.Testing;

/// <summary>Builds <see cref="PodRequest"/>s for tests: <c>new PodBuilder("web-0").Cpu("1").Memory("1Gi").Build()</c>.</summary>
public sealed class PodBuilder(string name, string podNamespace = "default")
{
    private readonly Dictionary<string, string> _labels = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Quantity> _requests = new(StringComparer.Ordinal);
    private readonly List<Requirement> _nodeSelector = [];
    private readonly List<Requirements> _requiredAffinity = [];
    private readonly List<WeightedTerm<Requirements>> _preferredAffinity = [];
    private readonly List<Toleration> _tolerations = [];
    private readonly List<TopologySpreadConstraint> _spreads = [];
    private readonly List<PodAffinityTerm> _affinity = [];
    private readonly List<PodAffinityTerm> _antiAffinity = [];
    private readonly List<WeightedTerm<PodAffinityTerm>> _preferredAntiAffinity = [];
    private readonly List<WeightedTerm<PodAffinityTerm>> _preferredPodAffinity = [];
    private readonly List<HostPort> _hostPorts = [];
    private long _order;

    public PodBuilder Cpu(string quantity) => Request(ResourceNames.Cpu, quantity);

    public PodBuilder Memory(string quantity) => Request(ResourceNames.Memory, quantity);

    public PodBuilder Request(string resource, string quantity)
    {
        _requests[resource] = Quantity.Parse(quantity);
        return this;
    }

    public PodBuilder Label(string key, string value)
    {
        _labels[key] = value;
        return this;
    }

    public PodBuilder NodeSelector(string key, string value)
    {
        _nodeSelector.Add(Requirement.In(key, value));
        return this;
    }

    /// <summary>Adds one required node-affinity term (terms are ORed).</summary>
    public PodBuilder RequiredAffinity(params Requirement[] term)
    {
        _requiredAffinity.Add(Requirements.Create(term));
        return this;
    }

    public PodBuilder PreferredAffinity(int weight, params Requirement[] term)
    {
        _preferredAffinity.Add(new WeightedTerm<Requirements>(weight, Requirements.Create(term)));
        return this;
    }

    public PodBuilder Tolerate(Toleration toleration)
    {
        _tolerations.Add(toleration);
        return this;
    }

    public PodBuilder Spread(string topologyKey, int maxSkew = 1, bool doNotSchedule = true, LabelSelector? selector = null)
    {
        _spreads.Add(new TopologySpreadConstraint(maxSkew, topologyKey, doNotSchedule, selector ?? LabelSelector.MatchLabels(_labels)));
        return this;
    }

    public PodBuilder AntiAffinity(string topologyKey, LabelSelector selector)
    {
        _antiAffinity.Add(PodAffinityTerm.SameNamespace(selector, topologyKey));
        return this;
    }

    public PodBuilder PreferredAntiAffinity(int weight, string topologyKey, LabelSelector selector)
    {
        _preferredAntiAffinity.Add(new WeightedTerm<PodAffinityTerm>(weight, PodAffinityTerm.SameNamespace(selector, topologyKey)));
        return this;
    }

    public PodBuilder Affinity(string topologyKey, LabelSelector selector)
    {
        _affinity.Add(PodAffinityTerm.SameNamespace(selector, topologyKey));
        return this;
    }

    public PodBuilder PreferredAffinityTo(int weight, string topologyKey, LabelSelector selector)
    {
        _preferredPodAffinity.Add(new WeightedTerm<PodAffinityTerm>(weight, PodAffinityTerm.SameNamespace(selector, topologyKey)));
        return this;
    }

    public PodBuilder HostPort(int port, string protocol = "TCP")
    {
        _hostPorts.Add(new HostPort(protocol, port));
        return this;
    }

    public PodBuilder Order(long creationOrder)
    {
        _order = creationOrder;
        return this;
    }

    public PodRequest Build() => new()
    {
        Namespace = podNamespace,
        Name = name,
        Uid = $"uid-{podNamespace}-{name}",
        Labels = new Dictionary<string, string>(_labels),
        Requests = PodRequest.EffectiveRequests([ResourceList.Create(_requests)]),
        NodeSelector = Requirements.Create(_nodeSelector),
        RequiredAffinity = [.. _requiredAffinity],
        PreferredAffinity = [.. _preferredAffinity],
        Tolerations = [.. _tolerations],
        TopologySpread = [.. _spreads],
        RequiredPodAffinity = [.. _affinity],
        RequiredPodAntiAffinity = [.. _antiAffinity],
        PreferredPodAntiAffinity = [.. _preferredAntiAffinity],
        PreferredPodAffinity = [.. _preferredPodAffinity],
        HostPorts = [.. _hostPorts],
        CreationOrder = _order,
    };

    /// <summary>Copies of a template pod named <c>{prefix}-{i}</c>, sharing every constraint object.</summary>
    public static IReadOnlyList<PodRequest> Replicas(PodRequest template, string prefix, int count) =>
        [.. Enumerable.Range(0, count).Select(i => template with { Name = $"{prefix}-{i}", Uid = $"uid-{prefix}-{i}", CreationOrder = i })];
}
