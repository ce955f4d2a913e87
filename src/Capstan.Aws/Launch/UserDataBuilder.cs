using System.Globalization;
using System.Text;
using Capstan.Aws.Discovery;
using Capstan.Core.Cloud;
using Capstan.Core.Scheduling;
using Tomlyn;
using Tomlyn.Model;

namespace Capstan.Aws.Launch;

/// <summary>
/// Writes the user data that bootstraps a node, per AMI family: the EKS bootstrap script for AL2 and Ubuntu (as a
/// MIME archive after the user's own parts), Bottlerocket TOML settings merged into the user's TOML, and the user's
/// user data unchanged for Custom. The text is returned plain; the launch template carries it base64-encoded.
/// </summary>
public static class UserDataBuilder
{
    /// <summary>Label prefixes in the kubernetes.io and k8s.io domains a kubelet may still set on itself.</summary>
    private static readonly string[] s_kubeletAllowedKeys =
    [
        "kubernetes.io/hostname", "kubernetes.io/instance-type", "kubernetes.io/os", "kubernetes.io/arch",
        "beta.kubernetes.io/instance-type", "beta.kubernetes.io/os", "beta.kubernetes.io/arch",
        "failure-domain.beta.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/region",
        "failure-domain.kubernetes.io/zone", "failure-domain.kubernetes.io/region",
        "topology.kubernetes.io/zone", "topology.kubernetes.io/region", "node.kubernetes.io/instance-type",
    ];

    /// <summary>The user data for a node of the family, or null when there is none to give (Custom without user data).</summary>
    /// <exception cref="CloudProviderException">the template's user data cannot be read in the family's format</exception>
    public static string? Build(string amiFamily, BootstrapInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return AmiFamilies.Normalize(amiFamily) switch
        {
            AmiFamilies.Bottlerocket => Bottlerocket(inputs),
            AmiFamilies.Custom => string.IsNullOrEmpty(inputs.CustomUserData) ? null : inputs.CustomUserData,
            _ => EksBootstrap(inputs),
        };
    }

    /// <summary>True when a kubelet may register its node with this label (kubelets may not claim most kubernetes.io labels).</summary>
    public static bool KubeletMaySet(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var domain = Labels.Domain(key);
        var restricted = domain == "kubernetes.io" || domain.EndsWith(".kubernetes.io", StringComparison.Ordinal)
            || domain == "k8s.io" || domain.EndsWith(".k8s.io", StringComparison.Ordinal);
        if (!restricted)
        {
            return true;
        }

        return s_kubeletAllowedKeys.Contains(key, StringComparer.Ordinal)
            || domain == "kubelet.kubernetes.io" || domain.EndsWith(".kubelet.kubernetes.io", StringComparison.Ordinal)
            || domain == "node.kubernetes.io" || domain.EndsWith(".node.kubernetes.io", StringComparison.Ordinal);
    }

    /// <summary>The user's parts first, then the EKS bootstrap script, as one MIME archive.</summary>
    private static string EksBootstrap(BootstrapInputs inputs)
    {
        MimeArchive archive;
        try
        {
            archive = MimeArchive.Parse(inputs.CustomUserData);
        }
        catch (FormatException ex)
        {
            throw new CloudProviderException("CreateLaunchTemplate", "InvalidUserData", $"the node template's userData cannot be merged with the bootstrap: {ex.Message}", false);
        }

        archive.Add(MimeArchive.ShellScript, BootstrapScript(inputs));
        return archive.Write();
    }

    /// <summary>The script that runs <c>/etc/eks/bootstrap.sh</c> with the cluster and the kubelet's arguments.</summary>
    public static string BootstrapScript(BootstrapInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var script = new StringBuilder();
        script.Append("#!/bin/bash -xe\n");
        script.Append("exec > >(tee /var/log/user-data.log|logger -t user-data -s 2>/dev/console) 2>&1\n");
        script.Append("/etc/eks/bootstrap.sh ").Append(Quote(inputs.ClusterName));
        script.Append(" --apiserver-endpoint ").Append(Quote(inputs.ClusterEndpoint ?? ""));
        if (!string.IsNullOrEmpty(inputs.CaBundle))
        {
            script.Append(" --b64-cluster-ca ").Append(Quote(inputs.CaBundle));
        }

        if (inputs.Kubelet.ClusterDns.Count > 0)
        {
            script.Append(" \\\n--dns-cluster-ip ").Append(Quote(inputs.Kubelet.ClusterDns[0]));
        }

        if (!string.IsNullOrEmpty(inputs.Kubelet.ContainerRuntime))
        {
            script.Append(" \\\n--container-runtime ").Append(Quote(inputs.Kubelet.ContainerRuntime));
        }

        // Capstan decides max-pods (kubelet setting or ENI-limited density), so bootstrap.sh must not compute its own.
        script.Append(" \\\n--use-max-pods false");
        script.Append(" \\\n--kubelet-extra-args ").Append(Quote(string.Join(' ', KubeletArguments(inputs))));
        script.Append('\n');
        return script.ToString();
    }

    /// <summary>The kubelet flags: labels, taints, max-pods, then the kubelet settings that change allocatable.</summary>
    public static IReadOnlyList<string> KubeletArguments(BootstrapInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var args = new List<string>();
        var labels = KubeletLabels(inputs);
        if (labels.Count > 0)
        {
            args.Add("--node-labels=" + string.Join(',', labels.Select(l => $"{l.Key}={l.Value}")));
        }

        if (inputs.Taints.Count > 0)
        {
            args.Add("--register-with-taints=" + string.Join(',', inputs.Taints.Select(TaintText)));
        }

        args.Add("--max-pods=" + Text(inputs.MaxPods));
        var kubelet = inputs.Kubelet;
        if (kubelet.PodsPerCore is { } perCore)
        {
            args.Add("--pods-per-core=" + Text(perCore));
        }

        AddMap(args, "--system-reserved", kubelet.SystemReserved.ToStrings(), "=");
        AddMap(args, "--kube-reserved", kubelet.KubeReserved.ToStrings(), "=");
        AddMap(args, "--eviction-hard", kubelet.EvictionHard, "<");
        AddMap(args, "--eviction-soft", kubelet.EvictionSoft, "<");
        AddMap(args, "--eviction-soft-grace-period", kubelet.EvictionSoftGracePeriod, "=");
        if (kubelet.EvictionMaxPodGracePeriod is { } grace)
        {
            args.Add("--eviction-max-pod-grace-period=" + Text(grace));
        }

        if (kubelet.ImageGcHighThresholdPercent is { } high)
        {
            args.Add("--image-gc-high-threshold=" + Text(high));
        }

        if (kubelet.ImageGcLowThresholdPercent is { } low)
        {
            args.Add("--image-gc-low-threshold=" + Text(low));
        }

        if (kubelet.CpuCfsQuota is { } quota)
        {
            args.Add("--cpu-cfs-quota=" + (quota ? "true" : "false"));
        }

        return args;
    }

    private static string Bottlerocket(BootstrapInputs inputs)
    {
        TomlTable root;
        try
        {
            root = string.IsNullOrWhiteSpace(inputs.CustomUserData) ? new TomlTable() : TomlSerializer.Deserialize<TomlTable>(inputs.CustomUserData) ?? new TomlTable();
        }
        catch (TomlException ex)
        {
            var first = ex.Message.Split('\n', 2)[0].Trim();
            throw new CloudProviderException("CreateLaunchTemplate", "InvalidUserData", $"the node template's userData is not valid Bottlerocket TOML: {first}", false, ex);
        }

        var settings = Table(root, "settings");
        var kubernetes = Table(settings, "kubernetes");

        // Capstan owns how the node joins: these keys are set whatever the user wrote.
        kubernetes["cluster-name"] = inputs.ClusterName;
        kubernetes["api-server"] = inputs.ClusterEndpoint ?? "";
        if (!string.IsNullOrEmpty(inputs.CaBundle))
        {
            kubernetes["cluster-certificate"] = inputs.CaBundle;
        }

        kubernetes["max-pods"] = (long)inputs.MaxPods;

        // The user's labels stay; the claim's labels win on the same key.
        var labels = Table(kubernetes, "node-labels");
        foreach (var (key, value) in KubeletLabels(inputs))
        {
            labels[key] = value;
        }

        if (labels.Count == 0)
        {
            kubernetes.Remove("node-labels");
        }

        // Taints are the provisioner's alone: a taint Capstan does not know would strand the pods it planned there.
        kubernetes.Remove("node-taints");
        if (inputs.Taints.Count > 0)
        {
            var taints = new TomlTable();
            foreach (var group in inputs.Taints.GroupBy(t => t.Key, StringComparer.Ordinal))
            {
                var values = new TomlArray();
                foreach (var taint in group)
                {
                    values.Add($"{taint.Value}:{Taint.EffectName(taint.Effect)}");
                }

                taints[group.Key] = values;
            }

            kubernetes["node-taints"] = taints;
        }

        var kubelet = inputs.Kubelet;
        SetMap(kubernetes, "kube-reserved", kubelet.KubeReserved.ToStrings());
        SetMap(kubernetes, "system-reserved", kubelet.SystemReserved.ToStrings());
        SetMap(kubernetes, "eviction-hard", kubelet.EvictionHard);
        SetMap(kubernetes, "eviction-soft", kubelet.EvictionSoft);
        SetMap(kubernetes, "eviction-soft-grace-period", kubelet.EvictionSoftGracePeriod);
        if (kubelet.ClusterDns.Count > 0)
        {
            kubernetes["cluster-dns-ip"] = kubelet.ClusterDns[0];
        }

        if (kubelet.EvictionMaxPodGracePeriod is { } grace)
        {
            kubernetes["eviction-max-pod-grace-period"] = (long)grace;
        }

        if (kubelet.ImageGcHighThresholdPercent is { } high)
        {
            kubernetes["image-gc-high-threshold-percent"] = (long)high;
        }

        if (kubelet.ImageGcLowThresholdPercent is { } low)
        {
            kubernetes["image-gc-low-threshold-percent"] = (long)low;
        }

        if (kubelet.CpuCfsQuota is { } quota)
        {
            kubernetes["cpu-cfs-quota-enforced"] = quota;
        }

        // Capstan's nodes join no Auto Scaling group: waiting for one would hold the kubelet back for good.
        if (settings.TryGetValue("autoscaling", out var autoscaling) && autoscaling is TomlTable scaling && scaling.ContainsKey("should-wait"))
        {
            scaling["should-wait"] = false;
        }

        return TomlSerializer.Serialize(root);
    }

    private static SortedDictionary<string, string> KubeletLabels(BootstrapInputs inputs)
    {
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in inputs.Labels)
        {
            if (KubeletMaySet(key))
            {
                labels[key] = value;
            }
        }

        return labels;
    }

    private static TomlTable Table(TomlTable parent, string key)
    {
        if (parent.TryGetValue(key, out var existing) && existing is TomlTable table)
        {
            return table;
        }

        table = new TomlTable();
        parent[key] = table;
        return table;
    }

    private static void SetMap(TomlTable table, string key, IEnumerable<KeyValuePair<string, string>> values)
    {
        var entries = values.ToList();
        if (entries.Count == 0)
        {
            return;
        }

        var map = new TomlTable();
        foreach (var (name, value) in entries.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            map[name] = value;
        }

        table[key] = map;
    }

    private static void AddMap(List<string> args, string flag, IEnumerable<KeyValuePair<string, string>> values, string separator)
    {
        var entries = values.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => e.Key + separator + e.Value).ToList();
        if (entries.Count > 0)
        {
            args.Add(flag + "=" + string.Join(',', entries));
        }
    }

    private static string TaintText(Taint taint) => $"{taint.Key}={taint.Value}:{Taint.EffectName(taint.Effect)}";

    /// <summary>A single-quoted shell word (a quote inside becomes <c>'\''</c>).</summary>
    private static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
