using Capstan.Core.Text;
using System.Globalization;
using Capstan.Core.Cloud;
using Capstan.Kubernetes.Manifests;
using Capstan.Sandbox.World;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Capstan.Sandbox.Scenarios;

/// <summary>
/// Reads a scenario file (docs/scenarios.md) into a <see cref="Scenario"/>. Every problem is collected, not only
/// the first, and raised as one <see cref="ScenarioException"/> whose errors name the file, line, column and step,
/// so a scenario is fixed in one pass. Files named by apply and delete steps are read and checked here, before
/// anything runs.
/// </summary>
public static class ScenarioFile
{
    /// <summary>Reads the scenario at <paramref name="path"/>; the files its steps name are found next to it.</summary>
    public static Scenario Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string yaml;
        try
        {
            yaml = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ScenarioException($"{path}: {CannotRead("the scenario file", e)}");
        }

        return Parse(yaml, path, Path.GetDirectoryName(Path.GetFullPath(path)));
    }

    /// <summary>Reads scenario text.</summary>
    /// <param name="yaml">The scenario.</param>
    /// <param name="name">What to call it in messages (its file name).</param>
    /// <param name="directory">Where the files steps name are; null for the current directory.</param>
    public static Scenario Parse(string yaml, string name, string? directory)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentNullException.ThrowIfNull(name);
        var reader = new Reader(name, directory);
        var scenario = reader.Read(yaml);
        return reader.Errors.Count > 0 || scenario is null ? throw new ScenarioException(reader.Errors) : scenario;
    }

    private static readonly string[] s_topKeys = ["name", "description", "settings", "nodeGroups", "steps"];
    private static readonly string[] s_settingKeys = ["speed", "nodeBootTime", "launchLatency", "podStartTime", "timeout"];
    private static readonly string[] s_stepKinds = ["apply", "delete", "scale", "wait", "expect", "interrupt", "capacityError"];
    private static readonly string[] s_deleteKeys = ["kind", "name", "namespace"];
    private static readonly string[] s_scaleKeys = ["workload", "replicas", "kind", "namespace"];
    private static readonly string[] s_workloadKinds = ["Deployment", "StatefulSet", "ReplicaSet"];
    private static readonly string[] s_waitConditions = ["allPodsRunning", "nodes", "pendingPods", "duration", "nodeGroups"];
    private static readonly string[] s_waitKeys = [.. s_waitConditions, "timeout"];
    private static readonly string[] s_expectKeys = ["nodes", "minNodes", "maxNodes", "runningPods", "pendingPods", "maxPricePerHour", "instanceTypes", "nodeGroups"];
    private static readonly string[] s_interruptKeys = ["node", "instanceType", "zone", "capacityType", "kind"];
    private static readonly string[] s_capacityErrorKeys = ["instanceType", "zone", "capacityType", "code"];
    private static readonly string[] s_capacityTypes = ["spot", "on-demand"];
    private static readonly string[] s_nodeGroupKeys = ["name", "minSize", "maxSize", "desiredCapacity", "instanceTypes", "capacityType", "zones", "labels", "taints", "tags"];
    private static readonly string[] s_groupCheckKeys = ["desired", "instances", "readyNodes", "instanceTypes"];
    private static readonly string[] s_groupWaitKeys = ["desired", "instances", "readyNodes"];
    private static readonly string[] s_taintEffects = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

    /// <summary>The prefix of the settings keys that are Capstan configuration rather than the sandbox's own.</summary>
    public const string ConfigurationPrefix = "Capstan:";

    private static readonly Dictionary<string, InterruptionKind> s_interruptions = new(StringComparer.Ordinal)
    {
        ["spotInterruption"] = InterruptionKind.SpotInterrupted,
        ["rebalanceRecommendation"] = InterruptionKind.RebalanceRecommendation,
        ["scheduledChange"] = InterruptionKind.ScheduledChange,
        ["instanceStopping"] = InterruptionKind.InstanceStopped,
    };

    /// <summary>The EC2 error a capacity error step gives unless it names another.</summary>
    public const string DefaultCapacityErrorCode = "InsufficientInstanceCapacity";

    /// <summary>One read of one scenario: the errors found so far, and the step being read for their words.</summary>
    private sealed class Reader(string name, string? directory)
    {
        private string _context = "";
        private readonly List<(string Group, YamlNode Node, string Context)> _groupReferences = [];
        private readonly List<string> _declaredGroups = [];

        public List<string> Errors { get; } = [];

        public Scenario? Read(string yaml)
        {
            var stream = new YamlStream();
            try
            {
                stream.Load(new StringReader(yaml));
            }
            catch (YamlException e)
            {
                Errors.Add($"{name}, {At(e.Start)}: this is not valid YAML ({Reason(e)})");
                return null;
            }

            if (stream.Documents.Count != 1)
            {
                Errors.Add(stream.Documents.Count == 0
                    ? $"{name}: the scenario is empty; it needs a name and steps"
                    : $"{name}, {At(stream.Documents[1].RootNode.Start)}: a scenario is one YAML document; this file holds {Number(stream.Documents.Count)}");
                return null;
            }

            var root = stream.Documents[0].RootNode;
            if (root is not YamlMappingNode top)
            {
                Error(root, "a scenario is a mapping with name, description, settings and steps");
                return null;
            }

            var fields = Fields(top, "the scenario", s_topKeys);
            var scenarioName = fields.TryGetValue("name", out var nameNode) ? Text(nameNode, "name") : null;
            if (!fields.ContainsKey("name"))
            {
                Error(top, "the scenario has no name (name: ...)");
            }

            var description = fields.TryGetValue("description", out var descriptionNode) ? Text(descriptionNode, "description") : null;
            var settings = fields.TryGetValue("settings", out var settingsNode) ? Settings(settingsNode) : ScenarioSettings.Default;
            var nodeGroups = fields.TryGetValue("nodeGroups", out var groupsNode) ? NodeGroups(groupsNode) : [];
            var steps = new List<ScenarioStep>();
            if (!fields.TryGetValue("steps", out var stepsNode))
            {
                Error(top, "the scenario has no steps (steps: followed by a list)");
            }
            else if (stepsNode is not YamlSequenceNode { Children.Count: > 0 } sequence)
            {
                Error(stepsNode, "steps must be a list of at least one step");
            }
            else
            {
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    if (Step(i + 1, sequence.Children[i]) is { } step)
                    {
                        steps.Add(step);
                    }
                }
            }

            var declared = _declaredGroups.Distinct(StringComparer.Ordinal).ToList();
            foreach (var (group, node, context) in _groupReferences.Where(r => !declared.Contains(r.Group, StringComparer.Ordinal)))
            {
                Errors.Add($"{name}, {At(node.Start)}: {context}there is no node group \"{group}\"{Suggest(group, declared)}; {(declared.Count == 0 ? "the scenario declares none (nodeGroups: at the top)" : $"the scenario declares {List(declared)}")}");
            }

            return scenarioName is null ? null : new Scenario(scenarioName, description, settings, steps, directory) { NodeGroups = nodeGroups };
        }

        private ScenarioSettings Settings(YamlNode node)
        {
            var settings = ScenarioSettings.Default;
            if (node is YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" })
            {
                return settings;
            }

            if (node is not YamlMappingNode mapping)
            {
                Error(node, "settings must be a mapping (speed, nodeBootTime, launchLatency, podStartTime, timeout, and Capstan:... configuration keys)");
                return settings;
            }

            _context = "settings: ";
            var configuration = new SortedDictionary<string, string>(StringComparer.Ordinal);
            var own = new YamlMappingNode();
            foreach (var (keyNode, valueNode) in mapping.Children)
            {
                if (keyNode is YamlScalarNode { Value: { } key } && key.StartsWith(ConfigurationPrefix, StringComparison.Ordinal))
                {
                    if (key.Length == ConfigurationPrefix.Length || key.EndsWith(':'))
                    {
                        Error(keyNode, $"\"{key}\" names no Capstan setting; write the whole key, such as Capstan:NodeGroups:Enabled");
                    }
                    else if (Scalar(valueNode, key) is { } text)
                    {
                        configuration[key] = text;
                    }
                }
                else
                {
                    own.Add(keyNode, valueNode);
                }
            }

            if (configuration.Count > 0)
            {
                settings = settings with { Configuration = configuration };
            }

            var fields = Fields(own, "settings", s_settingKeys);
            if (fields.TryGetValue("speed", out var speedNode))
            {
                var speed = Scalar(speedNode, "speed") is { } text && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : double.NaN;
                if (speed is > 0 and <= 1000)
                {
                    settings = settings with { Speed = speed };
                }
                else
                {
                    Error(speedNode, $"speed must be a number more than 0 and at most 1000, found {Show(speedNode)}");
                }
            }

            settings = settings with
            {
                NodeBootTime = Duration(fields, "nodeBootTime", allowZero: true) ?? settings.NodeBootTime,
                LaunchLatency = Duration(fields, "launchLatency", allowZero: true) ?? settings.LaunchLatency,
                PodStartTime = Duration(fields, "podStartTime", allowZero: true) ?? settings.PodStartTime,
                Timeout = Duration(fields, "timeout", allowZero: false) ?? settings.Timeout,
            };
            _context = "";
            return settings;
        }

        private ScenarioStep? Step(int number, YamlNode node)
        {
            _context = $"step {Number(number)}: ";
            if (node is not YamlMappingNode { Children.Count: > 0 } mapping)
            {
                Error(node, $"a step is a mapping with one of {List(s_stepKinds)}, such as \"- apply: manifest.yaml\"");
                return null;
            }

            if (mapping.Children.Count > 1)
            {
                var keys = mapping.Children.Keys.Select(k => k is YamlScalarNode s ? $"\"{s.Value}\"" : "a mapping").ToList();
                Error(mapping.Children.Keys.ElementAt(1), $"a step does one thing; this one has {string.Join(" and ", keys)} (start another step with \"- \")");
                return null;
            }

            var (keyNode, value) = mapping.Children.First();
            var kind = keyNode is YamlScalarNode { Value: { } k } ? k : "";
            if (!s_stepKinds.Contains(kind, StringComparer.Ordinal))
            {
                Error(keyNode, $"\"{kind}\" is not a step{Suggest(kind, s_stepKinds)}; a step is one of {List(s_stepKinds)}");
                return null;
            }

            _context = $"step {Number(number)} ({kind}): ";
            ScenarioStep? step = kind switch
            {
                "apply" => Apply(number, value),
                "delete" => Delete(number, value),
                "scale" => Scale(value),
                "wait" => Wait(value),
                "expect" => Expect(value),
                "interrupt" => Interrupt(value),
                _ => CapacityError(value),
            };
            _context = "";
            return step is null ? null : step with { Number = number, Line = (int)mapping.Start.Line };
        }

        private ApplyStep? Apply(int number, YamlNode value) =>
            Manifest(number, value, "apply: takes a file name or inline YAML (a block scalar after \"|\")") is var (source, yaml)
                ? new ApplyStep(source, yaml)
                : null;

        private DeleteStep? Delete(int number, YamlNode value)
        {
            if (value is not YamlMappingNode mapping)
            {
                return Manifest(number, value, "delete: takes a file name, inline YAML, or {kind, name, namespace}") is var (source, yaml)
                    ? new DeleteStep(source, yaml, null, null, null)
                    : null;
            }

            var fields = Fields(mapping, "delete", s_deleteKeys);
            var kind = Required(mapping, fields, "kind");
            var objectName = Required(mapping, fields, "name");
            var ns = Optional(fields, "namespace");
            return kind is null || objectName is null ? null : new DeleteStep(null, null, kind, objectName, ns);
        }

        /// <summary>A file name or inline YAML, read and checked to hold Kubernetes objects.</summary>
        private (string Source, string Yaml)? Manifest(int number, YamlNode value, string usage)
        {
            if (value is not YamlScalarNode { Value: { Length: > 0 } text } scalar)
            {
                Error(value, usage);
                return null;
            }

            string source;
            string yaml;
            if (scalar.Style is ScalarStyle.Literal or ScalarStyle.Folded || text.Contains('\n', StringComparison.Ordinal))
            {
                source = $"{name}, step {Number(number)}";
                yaml = text;
            }
            else
            {
                source = text;
                var path = Path.Combine(directory ?? Directory.GetCurrentDirectory(), text);
                try
                {
                    yaml = File.ReadAllText(path);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    Error(value, CannotRead($"the file \"{text}\"", e) + (e is FileNotFoundException or DirectoryNotFoundException ? $" (looked for {path})" : ""));
                    return null;
                }
            }

            try
            {
                if (ManifestDocuments.Read(source, yaml).Count == 0)
                {
                    Error(value, $"{(source == text ? $"the file \"{text}\"" : "the inline YAML")} holds no Kubernetes object");
                    return null;
                }
            }
            catch (ManifestException e)
            {
                foreach (var error in e.Errors)
                {
                    Errors.Add($"{name}, {At(value.Start)}: {_context}{error}");
                }

                return null;
            }

            return (source, yaml);
        }

        private ScaleStep? Scale(YamlNode value)
        {
            if (!Mapping(value, "scale: takes {workload, replicas}, and optionally kind and namespace", out var mapping))
            {
                return null;
            }

            var fields = Fields(mapping, "scale", s_scaleKeys);
            var workload = Required(mapping, fields, "workload");
            var replicas = fields.ContainsKey("replicas") ? Count(fields, "replicas") : Missing(mapping, "replicas");
            var kind = Optional(fields, "kind") ?? "Deployment";
            if (!s_workloadKinds.Contains(kind, StringComparer.Ordinal))
            {
                Error(fields["kind"], $"kind must be one of {List(s_workloadKinds)}, found \"{kind}\"{Suggest(kind, s_workloadKinds)}");
                return null;
            }

            var ns = Optional(fields, "namespace") ?? "default";
            return workload is null || replicas is null ? null : new ScaleStep(kind, workload, ns, replicas.Value);
        }

        private WaitStep? Wait(YamlNode value)
        {
            if (!Mapping(value, "wait: takes one of {allPodsRunning: true}, {nodes: N}, {pendingPods: N}, {duration: 45s} or {nodeGroups: {NAME: {desired: N}}}", out var mapping))
            {
                return null;
            }

            var fields = Fields(mapping, "wait", s_waitKeys);
            var conditions = s_waitConditions.Where(fields.ContainsKey).ToList();
            if (conditions.Count != 1)
            {
                Error(mapping, conditions.Count == 0
                    ? $"wait needs one condition: {List(s_waitConditions)}"
                    : $"wait takes one condition, found {string.Join(" and ", conditions)} (use one wait step for each)");
                return null;
            }

            var timeout = Duration(fields, "timeout", allowZero: false);
            WaitCondition? condition;
            switch (conditions[0])
            {
                case "allPodsRunning":
                    var flag = Scalar(fields["allPodsRunning"], "allPodsRunning");
                    condition = flag is "true" or "True" or "TRUE" ? new WaitCondition.AllPodsRunning() : null;
                    if (condition is null)
                    {
                        Error(fields["allPodsRunning"], $"allPodsRunning can only be true, found {Show(fields["allPodsRunning"])}");
                    }

                    break;
                case "nodes":
                    condition = Count(fields, "nodes") is { } nodes ? new WaitCondition.Nodes(nodes) : null;
                    break;
                case "pendingPods":
                    condition = Count(fields, "pendingPods") is { } pending ? new WaitCondition.PendingPods(pending) : null;
                    break;
                case "nodeGroups":
                    condition = GroupChecks(fields["nodeGroups"], s_groupWaitKeys) is { } checks ? new WaitCondition.NodeGroups(checks) : null;
                    break;
                default:
                    condition = Duration(fields, "duration", allowZero: false) is { } length ? new WaitCondition.Duration(length) : null;
                    if (fields.TryGetValue("timeout", out var timeoutNode))
                    {
                        Error(timeoutNode, "a wait for a duration has no timeout: it always takes its duration");
                        return null;
                    }

                    break;
            }

            return condition is null || (fields.ContainsKey("timeout") && timeout is null) ? null : new WaitStep(condition, timeout);
        }

        private ExpectStep? Expect(YamlNode value)
        {
            if (!Mapping(value, $"expect: takes a mapping of one or more of {List(s_expectKeys)}", out var mapping))
            {
                return null;
            }

            var fields = Fields(mapping, "expect", s_expectKeys);
            if (fields.Count == 0)
            {
                Error(mapping, $"expect needs at least one of {List(s_expectKeys)}");
                return null;
            }

            var before = Errors.Count;
            int? Get(string key) => fields.ContainsKey(key) ? Count(fields, key) : null;
            var (nodes, minNodes, maxNodes) = (Get("nodes"), Get("minNodes"), Get("maxNodes"));
            var (running, pending) = (Get("runningPods"), Get("pendingPods"));
            decimal? price = null;
            if (fields.TryGetValue("maxPricePerHour", out var priceNode))
            {
                price = Scalar(priceNode, "maxPricePerHour") is { } text && decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var p) ? p : null;
                if (price is null)
                {
                    Error(priceNode, $"maxPricePerHour must be dollars per hour such as 0.50, found {Show(priceNode)}");
                }
            }

            List<string>? types = null;
            if (fields.TryGetValue("instanceTypes", out var typesNode))
            {
                types = typesNode switch
                {
                    YamlSequenceNode { Children.Count: > 0 } list when list.Children.All(c => c is YamlScalarNode { Value.Length: > 0 }) =>
                        [.. list.Children.Select(c => ((YamlScalarNode)c).Value!)],
                    YamlScalarNode { Value.Length: > 0 } one when one.Style != ScalarStyle.Plain || one.Value is not ("~" or "null") => [one.Value!],
                    _ => null,
                };
                if (types is null)
                {
                    Error(typesNode, "instanceTypes must be a list of instance type names, such as [c6a.2xlarge, m6a.xlarge]");
                }
            }

            IReadOnlyDictionary<string, NodeGroupCheck>? groups = null;
            if (fields.TryGetValue("nodeGroups", out var groupsNode))
            {
                groups = GroupChecks(groupsNode, s_groupCheckKeys);
            }

            if (minNodes > maxNodes)
            {
                Error(fields["minNodes"], $"minNodes ({Number(minNodes.Value)}) is more than maxNodes ({Number(maxNodes!.Value)})");
            }

            return Errors.Count > before ? null : new ExpectStep(nodes, minNodes, maxNodes, running, pending, price, types) { NodeGroups = groups };
        }

        private InterruptStep? Interrupt(YamlNode value)
        {
            if (!Mapping(value, "interrupt: takes {node: any} or {node: NAME}, or instanceType, zone and capacityType, and optionally kind", out var mapping))
            {
                return null;
            }

            var before = Errors.Count;
            var fields = Fields(mapping, "interrupt", s_interruptKeys);
            var node = Optional(fields, "node");
            var instanceType = Optional(fields, "instanceType");
            var zone = Optional(fields, "zone");
            var capacityType = CapacityType(fields);
            if (!fields.ContainsKey("node") && instanceType is null && zone is null && capacityType is null && Errors.Count == before)
            {
                Error(mapping, "interrupt needs the node to interrupt: node: any, node: NAME, or an instanceType, zone or capacityType to choose one");
            }

            var kind = InterruptionKind.SpotInterrupted;
            if (Optional(fields, "kind") is { } kindText)
            {
                if (s_interruptions.TryGetValue(kindText, out var known))
                {
                    kind = known;
                }
                else
                {
                    Error(fields["kind"], $"kind must be one of {List(s_interruptions.Keys)}, found \"{kindText}\"{Suggest(kindText, s_interruptions.Keys)}");
                }
            }

            return Errors.Count > before ? null : new InterruptStep(node == "any" ? null : node, instanceType, zone, capacityType, kind);
        }

        private CapacityErrorStep? CapacityError(YamlNode value)
        {
            if (!Mapping(value, "capacityError: takes {instanceType}, and optionally zone, capacityType and code", out var mapping))
            {
                return null;
            }

            var before = Errors.Count;
            var fields = Fields(mapping, "capacityError", s_capacityErrorKeys);
            var instanceType = Required(mapping, fields, "instanceType");
            var zone = Optional(fields, "zone");
            var capacityType = CapacityType(fields);
            var code = Optional(fields, "code") ?? DefaultCapacityErrorCode;
            return Errors.Count > before || instanceType is null ? null : new CapacityErrorStep(instanceType, zone, capacityType, code);
        }

        /// <summary><c>nodeGroups:</c> at the top: a list of groups, each with unique name and consistent sizes.</summary>
        private List<SandboxNodeGroup> NodeGroups(YamlNode node)
        {
            var groups = new List<SandboxNodeGroup>();
            if (node is not YamlSequenceNode sequence)
            {
                Error(node, "nodeGroups must be a list of groups, each with name, minSize, maxSize and instanceTypes");
                return groups;
            }

            for (var i = 0; i < sequence.Children.Count; i++)
            {
                _context = $"node group {Number(i + 1)}: ";
                if (NodeGroup(sequence.Children[i]) is { } group)
                {
                    if (groups.Exists(g => g.Name == group.Name))
                    {
                        Error(sequence.Children[i], $"there is already a node group \"{group.Name}\"; names must be unique");
                    }
                    else
                    {
                        groups.Add(group);
                    }
                }
            }

            _context = "";
            return groups;
        }

        private SandboxNodeGroup? NodeGroup(YamlNode node)
        {
            if (!Mapping(node, "a node group is a mapping with name, minSize, maxSize, desiredCapacity, instanceTypes, capacityType, zones, labels, taints and tags", out var mapping))
            {
                return null;
            }

            var before = Errors.Count;
            if (mapping.Children.FirstOrDefault(c => c.Key is YamlScalarNode { Value: "name" }).Value is YamlScalarNode { Value: { Length: > 0 } named })
            {
                _context = $"node group {named}: ";
                _declaredGroups.Add(named);
            }

            var fields = Fields(mapping, "a node group", s_nodeGroupKeys);
            var groupName = Required(mapping, fields, "name");

            var min = fields.ContainsKey("minSize") ? Count(fields, "minSize") : Missing(mapping, "minSize");
            var max = fields.ContainsKey("maxSize") ? Count(fields, "maxSize") : Missing(mapping, "maxSize");
            var desired = fields.ContainsKey("desiredCapacity") ? Count(fields, "desiredCapacity") : min;
            if (min is { } lo && max is { } hi && desired is { } want && (lo > hi || want < lo || want > hi))
            {
                Error(mapping, $"the sizes must satisfy minSize <= desiredCapacity <= maxSize, found {Number(lo)}, {Number(want)} and {Number(hi)}");
            }

            var types = fields.TryGetValue("instanceTypes", out var typesNode) ? Names(typesNode, "instanceTypes", "instance type names, in priority order, such as [c5.xlarge, m5.xlarge]") : null;
            if (!fields.ContainsKey("instanceTypes"))
            {
                Missing(mapping, "instanceTypes");
            }

            var capacityType = CapacityType(fields) ?? "on-demand";
            var zones = fields.TryGetValue("zones", out var zonesNode) ? Names(zonesNode, "zones", "zone names such as [us-east-1a, us-east-1b]") : null;
            var labels = fields.TryGetValue("labels", out var labelsNode) ? Pairs(labelsNode, "labels") : new Dictionary<string, string>(StringComparer.Ordinal);
            var tags = fields.TryGetValue("tags", out var tagsNode) ? Pairs(tagsNode, "tags") : new Dictionary<string, string>(StringComparer.Ordinal);
            var taints = new List<string>();
            if (fields.TryGetValue("taints", out var taintsNode))
            {
                foreach (var taint in Names(taintsNode, "taints", "taints such as [dedicated=group2:NoSchedule]") ?? [])
                {
                    var colon = taint.LastIndexOf(':');
                    var effect = colon < 0 ? "" : taint[(colon + 1)..];
                    var key = colon <= 0 ? "" : taint[..colon].Split('=')[0];
                    if (key.Length == 0 || !s_taintEffects.Contains(effect, StringComparer.Ordinal))
                    {
                        Error(taintsNode, $"taint \"{taint}\" must be key=value:Effect or key:Effect with Effect {List(s_taintEffects)}");
                    }
                    else
                    {
                        taints.Add(taint);
                    }
                }
            }

            if (Errors.Count > before || groupName is null || min is null || max is null || desired is null || types is null)
            {
                return null;
            }

            return new SandboxNodeGroup
            {
                Name = groupName,
                MinSize = min.Value,
                MaxSize = max.Value,
                DesiredCapacity = desired.Value,
                InstanceTypes = types,
                CapacityType = capacityType,
                Zones = zones,
                Labels = labels,
                Taints = taints,
                Tags = tags,
            };
        }

        /// <summary><c>nodeGroups: {NAME: {desired: N, ...}}</c> of an expect or a wait step.</summary>
        private Dictionary<string, NodeGroupCheck>? GroupChecks(YamlNode node, string[] keys)
        {
            if (node is not YamlMappingNode { Children.Count: > 0 } mapping)
            {
                Error(node, $"nodeGroups must map a group's name to what must hold for it, such as {{group2: {{desired: 2}}}}, with {List(keys)}");
                return null;
            }

            var before = Errors.Count;
            var checks = new Dictionary<string, NodeGroupCheck>(StringComparer.Ordinal);
            foreach (var (keyNode, value) in mapping.Children)
            {
                var group = keyNode is YamlScalarNode { Value: { Length: > 0 } k } ? k : "";
                _groupReferences.Add((group, keyNode, _context));
                if (!Mapping(value, $"nodeGroups: {group}: takes a mapping of one or more of {List(keys)}", out var checkMapping))
                {
                    continue;
                }

                var known = Errors.Count;
                var fields = Fields(checkMapping, "a node group check", keys);
                if (fields.Count == 0 && Errors.Count == known)
                {
                    Error(checkMapping, $"nodeGroups: {group}: needs at least one of {List(keys)}");
                    continue;
                }

                int? Get(string key) => fields.ContainsKey(key) ? Count(fields, key) : null;
                var types = fields.TryGetValue("instanceTypes", out var typesNode) ? Names(typesNode, "instanceTypes", "a list of instance type names, such as [c5.xlarge]") : null;
                checks[group] = new NodeGroupCheck(Get("desired"), Get("instances"), Get("readyNodes"), types);
            }

            return Errors.Count > before ? null : checks;
        }

        /// <summary>A non-empty list of names (one plain name is taken as a list of one).</summary>
        private List<string>? Names(YamlNode node, string key, string what)
        {
            List<string>? names = node switch
            {
                YamlSequenceNode { Children.Count: > 0 } list when list.Children.All(c => c is YamlScalarNode { Value.Length: > 0 }) =>
                    [.. list.Children.Select(c => ((YamlScalarNode)c).Value!)],
                YamlScalarNode { Value.Length: > 0 } one when one.Style != ScalarStyle.Plain || one.Value is not ("~" or "null") => [one.Value!],
                _ => null,
            };
            if (names is null)
            {
                Error(node, $"{key} must be a list of {what}");
            }

            return names;
        }

        /// <summary>A mapping of text to text (labels, tags).</summary>
        private Dictionary<string, string> Pairs(YamlNode node, string key)
        {
            var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
            if (node is not YamlMappingNode mapping)
            {
                Error(node, $"{key} must be a mapping of names to values, such as {{role: group2}}");
                return pairs;
            }

            foreach (var (keyNode, value) in mapping.Children)
            {
                if (keyNode is YamlScalarNode { Value: { Length: > 0 } name } && Scalar(value, $"{key}: {name}") is { } text)
                {
                    pairs[name] = text;
                }
            }

            return pairs;
        }

        private string? CapacityType(Dictionary<string, YamlNode> fields)
        {
            var capacityType = Optional(fields, "capacityType");
            if (capacityType is not null && !s_capacityTypes.Contains(capacityType, StringComparer.Ordinal))
            {
                Error(fields["capacityType"], $"capacityType must be spot or on-demand, found \"{capacityType}\"{Suggest(capacityType, s_capacityTypes)}");
                return null;
            }

            return capacityType;
        }

        /// <summary>The known keys of a mapping; each unknown or repeated one is an error.</summary>
        private Dictionary<string, YamlNode> Fields(YamlMappingNode mapping, string what, string[] known)
        {
            var fields = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
            foreach (var (keyNode, value) in mapping.Children)
            {
                var key = keyNode is YamlScalarNode { Value: { } k } ? k : "";
                if (known.Contains(key, StringComparer.Ordinal))
                {
                    fields[key] = value;
                }
                else
                {
                    Error(keyNode, $"\"{key}\" is not a field of {what}{Suggest(key, known)}; it takes {List(known)}");
                }
            }

            return fields;
        }

        private bool Mapping(YamlNode value, string usage, out YamlMappingNode mapping)
        {
            if (value is YamlMappingNode m)
            {
                mapping = m;
                return true;
            }

            mapping = null!;
            Error(value, usage);
            return false;
        }

        private string? Required(YamlMappingNode mapping, Dictionary<string, YamlNode> fields, string key)
        {
            if (fields.TryGetValue(key, out var node))
            {
                return Text(node, key);
            }

            Missing(mapping, key);
            return null;
        }

        private int? Missing(YamlMappingNode mapping, string key)
        {
            Error(mapping, $"{key} is missing");
            return null;
        }

        private string? Optional(Dictionary<string, YamlNode> fields, string key) =>
            fields.TryGetValue(key, out var node) ? Text(node, key) : null;

        /// <summary>A value that must be non-empty text.</summary>
        private string? Text(YamlNode node, string key)
        {
            if (Scalar(node, key) is { Length: > 0 } text)
            {
                return text;
            }

            if (node is YamlScalarNode)
            {
                Error(node, $"{key} must not be empty");
            }

            return null;
        }

        /// <summary>A scalar's text; an error when the value is a list or a mapping.</summary>
        private string? Scalar(YamlNode node, string key)
        {
            if (node is YamlScalarNode scalar)
            {
                return scalar.Style == ScalarStyle.Plain && scalar.Value is "~" or "null" ? "" : scalar.Value ?? "";
            }

            Error(node, $"{key} must be a single value, not {(node is YamlSequenceNode ? "a list" : "a mapping")}");
            return null;
        }

        /// <summary>A whole number, 0 or more.</summary>
        private int? Count(Dictionary<string, YamlNode> fields, string key)
        {
            var node = fields[key];
            if (Scalar(node, key) is { } text)
            {
                if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var count) && count >= 0)
                {
                    return count;
                }

                Error(node, $"{key} must be a whole number, 0 or more, found {Show(node)}");
            }

            return null;
        }

        private TimeSpan? Duration(Dictionary<string, YamlNode> fields, string key, bool allowZero)
        {
            if (!fields.TryGetValue(key, out var node) || Scalar(node, key) is not { } text)
            {
                return null;
            }

            if (GoDuration.TryParse(text, out var duration) && (allowZero || duration > TimeSpan.Zero))
            {
                return duration;
            }

            Error(node, $"{key} must be a {(allowZero ? "" : "positive ")}duration such as 500ms, 30s, 5m, 1h or 1m30s, found {Show(node)}");
            return null;
        }

        private void Error(YamlNode node, string message) => Errors.Add($"{name}, {At(node.Start)}: {_context}{message}");
    }

    /// <summary>"did you mean" for a key or value close to a known one (case, a typo or two).</summary>
    private static string Suggest(string given, IEnumerable<string> known)
    {
        var best = known
            .Select(k => (Known: k, Distance: Distance(given.ToUpperInvariant(), k.ToUpperInvariant())))
            .MinBy(c => c.Distance);
        return best.Known is not null && given.Length > 0 && best.Distance <= Math.Max(1, best.Known.Length / 3)
            ? $" (did you mean \"{best.Known}\"?)"
            : "";
    }

    /// <summary>
    /// The fewest letters inserted, removed, changed or swapped with their neighbour to turn one word into the other
    /// (optimal string alignment), so that "scael" is one slip from "scale".
    /// </summary>
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }

    private static string Show(YamlNode node) => node switch
    {
        YamlScalarNode { Value: { Length: > 0 } value } => $"\"{value}\"",
        YamlScalarNode => "nothing",
        YamlSequenceNode => "a list",
        _ => "a mapping",
    };

    private static string List(IEnumerable<string> words)
    {
        var all = words.ToList();
        return all.Count == 1 ? all[0] : $"{string.Join(", ", all.Take(all.Count - 1))} or {all[^1]}";
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string At(Mark mark) => $"line {Number(mark.Line)}, column {Number(mark.Column)}";

    private static string CannotRead(string what, Exception e) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException => $"{what} is not there",
        UnauthorizedAccessException => $"{what} cannot be read: permission is denied",
        _ => $"{what} cannot be read (is it a folder, or held by another program?)",
    };

    /// <summary>The parser's words for the problem, without YamlDotNet's "While parsing ..." preamble.</summary>
    private static string Reason(YamlException e)
    {
        var message = e.Message;
        var comma = message.IndexOf(", ", StringComparison.Ordinal);
        if (message.StartsWith("While ", StringComparison.Ordinal) && comma > 0)
        {
            message = message[(comma + 2)..];
        }

        return message.TrimEnd('.');
    }
}
