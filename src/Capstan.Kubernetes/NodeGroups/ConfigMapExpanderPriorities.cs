using System.Net;
using Capstan.Core.NodeGroups;
using Capstan.Core.Ports;
using k8s;
using k8s.Autorest;
using Microsoft.Extensions.Logging;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Capstan.Kubernetes.NodeGroups;

/// <summary>
/// Reads Cluster Autoscaler's <c>cluster-autoscaler-priority-expander</c> ConfigMap, whose <c>priorities</c> key holds
/// YAML mapping an integer priority to a list of regular expressions over node-group names:
/// <code>
/// priorities: |-
///   50:
///     - .*spot.*
///   10:
///     - .*
/// </code>
/// The answer is kept for a few seconds, so that one provisioning pass reads it once.
/// </summary>
public sealed class ConfigMapExpanderPriorities(IKubernetes client, string configMapNamespace, TimeProvider time, ILogger<ConfigMapExpanderPriorities> logger)
    : IExpanderPriorities
{
    public const string ConfigMapName = "cluster-autoscaler-priority-expander";
    public const string Key = "priorities";

    private static readonly TimeSpan s_keep = TimeSpan.FromSeconds(10);
    private (ExpanderPriorities? Value, DateTimeOffset At)? _cached;
    private string? _lastProblem;

    public async Task<ExpanderPriorities?> GetAsync(CancellationToken cancellationToken)
    {
        if (_cached is { } cached && time.GetUtcNow() - cached.At < s_keep)
        {
            return cached.Value;
        }

        string? text;
        try
        {
            var map = await client.CoreV1.ReadNamespacedConfigMapAsync(ConfigMapName, configMapNamespace, cancellationToken: cancellationToken).ConfigureAwait(false);
            text = map.Data is { } data && data.TryGetValue(Key, out var priorities) ? priorities : null;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            text = null;
        }
        catch (HttpOperationException e)
        {
            // Keep what was read last: a flaky API call must not change which group grows.
            Report($"reading ConfigMap {configMapNamespace}/{ConfigMapName} failed with HTTP {(int)e.Response.StatusCode}");
            return _cached?.Value;
        }

        ExpanderPriorities? value = null;
        if (text is not null)
        {
            value = Parse(text, out var problems);
            foreach (var problem in problems)
            {
                Report(problem);
            }
        }

        _cached = (value, time.GetUtcNow());
        return value;
    }

    /// <summary>Reads the <c>priorities</c> text; problems in words (with line numbers) for what cannot be used.</summary>
    public static ExpanderPriorities? Parse(string text, out IReadOnlyList<string> problems)
    {
        ArgumentNullException.ThrowIfNull(text);
        var found = new List<string>();
        var priorities = new Dictionary<int, IReadOnlyList<string>>();
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            problems = [$"{Key}: not YAML at line {e.Start.Line}, column {e.Start.Column}"];
            return null;
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            problems = [$"{Key}: expected a mapping of priorities to lists of patterns"];
            return null;
        }

        foreach (var (keyNode, valueNode) in root.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value;
            if (!int.TryParse(key, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var priority))
            {
                found.Add($"{Key}: line {keyNode.Start.Line}: \"{key}\" is not an integer priority");
                continue;
            }

            if (valueNode is not YamlSequenceNode list)
            {
                found.Add($"{Key}: line {valueNode.Start.Line}: priority {priority} needs a list of patterns");
                continue;
            }

            priorities[priority] = [.. list.Children.OfType<YamlScalarNode>().Select(s => s.Value ?? "")];
        }

        var result = ExpanderPriorities.Create(priorities, out var patternProblems);
        found.AddRange(patternProblems.Select(p => $"{Key}: {p}"));
        problems = found;
        return result;
    }

    private void Report(string problem)
    {
        // Said once per distinct problem, not on every pass.
        if (problem != _lastProblem)
        {
            _lastProblem = problem;
            logger.ExpanderPrioritiesProblem(problem);
        }
    }
}
