using Capstan.Aws.Launch;
using Capstan.Core.Cloud;
using Capstan.Core.Provisioning;
using Capstan.Core.Resources;
using Capstan.Core.Scheduling;
using Tomlyn;
using Tomlyn.Model;

namespace Capstan.Aws.Tests.Launch;

public sealed class UserDataBuilderTests
{
    private static BootstrapInputs Inputs(string? custom = null) => new()
    {
        ClusterName = "demo-cluster",
        ClusterEndpoint = "https://ABC.eks.amazonaws.com",
        CaBundle = "Q0E=",
        Labels = new Dictionary<string, string>
        {
            ["karpenter.sh/provisioner-name"] = "default",
            ["karpenter.sh/capacity-type"] = "spot",
            ["team"] = "payments",
            ["kubernetes.io/role"] = "not-allowed-for-a-kubelet",
            ["node.kubernetes.io/lifecycle"] = "spot",
        },
        Taints = [new Taint("dedicated", "gpu", TaintEffect.NoSchedule), new Taint("node.cilium.io/agent-not-ready", "true", TaintEffect.NoExecute)],
        MaxPods = 29,
        CustomUserData = custom,
    };

    [Fact]
    public void Build_AL2_WritesTheEksBootstrapWithLabelsTaintsAndMaxPods()
    {
        var userData = UserDataBuilder.Build("AL2", Inputs());

        Assert.Equal(
            "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"//\"\n\n"
            + "--//\nContent-Type: text/x-shellscript; charset=\"us-ascii\"\n\n"
            + "#!/bin/bash -xe\n"
            + "exec > >(tee /var/log/user-data.log|logger -t user-data -s 2>/dev/console) 2>&1\n"
            + "/etc/eks/bootstrap.sh 'demo-cluster' --apiserver-endpoint 'https://ABC.eks.amazonaws.com' --b64-cluster-ca 'Q0E=' \\\n"
            + "--use-max-pods false \\\n"
            + "--kubelet-extra-args '--node-labels=karpenter.sh/capacity-type=spot,karpenter.sh/provisioner-name=default,node.kubernetes.io/lifecycle=spot,team=payments "
            + "--register-with-taints=dedicated=gpu:NoSchedule,node.cilium.io/agent-not-ready=true:NoExecute --max-pods=29'\n"
            + "\n--//--\n",
            userData);
    }

    [Fact]
    public void Build_KubeletSettings_BecomeKubeletFlags()
    {
        var inputs = Inputs() with
        {
            Kubelet = new KubeletSettings
            {
                PodsPerCore = 4,
                KubeReserved = ResourceList.Of("cpu", "200m", "memory", "1Gi"),
                SystemReserved = ResourceList.Of("memory", "100Mi"),
                EvictionHard = new Dictionary<string, string> { ["memory.available"] = "500Mi", ["nodefs.available"] = "10%" },
            },
        };

        var args = UserDataBuilder.KubeletArguments(inputs);

        Assert.Equal(
            ["--max-pods=29", "--pods-per-core=4", "--system-reserved=memory=100Mi", "--kube-reserved=cpu=200m,memory=1Gi", "--eviction-hard=memory.available<500Mi,nodefs.available<10%"],
            args.Skip(2));
    }

    private static readonly KubeletSettings s_passedOn = new()
    {
        ClusterDns = ["10.100.0.10", "10.100.0.11"],
        ContainerRuntime = "containerd",
        EvictionSoft = new Dictionary<string, string> { ["memory.available"] = "1Gi", ["nodefs.available"] = "15%" },
        EvictionSoftGracePeriod = new Dictionary<string, string> { ["memory.available"] = "1m30s", ["nodefs.available"] = "2m" },
        EvictionMaxPodGracePeriod = 60,
        ImageGcHighThresholdPercent = 80,
        ImageGcLowThresholdPercent = 60,
        CpuCfsQuota = false,
    };

    [Fact]
    public void Build_AL2_PassesEveryOtherKubeletSettingToBootstrapAndKubelet()
    {
        var inputs = Inputs() with { Kubelet = s_passedOn };

        var script = UserDataBuilder.BootstrapScript(inputs);

        Assert.Contains(" \\\n--dns-cluster-ip '10.100.0.10' \\\n--container-runtime 'containerd' \\\n--use-max-pods false", script, StringComparison.Ordinal);
        Assert.Equal(
            ["--max-pods=29", "--eviction-soft=memory.available<1Gi,nodefs.available<15%", "--eviction-soft-grace-period=memory.available=1m30s,nodefs.available=2m",
                "--eviction-max-pod-grace-period=60", "--image-gc-high-threshold=80", "--image-gc-low-threshold=60", "--cpu-cfs-quota=false"],
            UserDataBuilder.KubeletArguments(inputs).Skip(2));
    }

    [Fact]
    public void Build_Bottlerocket_PassesEveryOtherKubeletSettingAsSettings()
    {
        var inputs = Inputs("[settings.kubernetes]\nimage-gc-high-threshold-percent = \"85\"\n") with { Kubelet = s_passedOn };

        var toml = TomlSerializer.Deserialize<TomlTable>(UserDataBuilder.Build("Bottlerocket", inputs)!)!;

        var kubernetes = (TomlTable)((TomlTable)toml["settings"])["kubernetes"];
        Assert.Equal("10.100.0.10", kubernetes["cluster-dns-ip"]);
        Assert.Equal("1Gi", ((TomlTable)kubernetes["eviction-soft"])["memory.available"]);
        Assert.Equal("2m", ((TomlTable)kubernetes["eviction-soft-grace-period"])["nodefs.available"]);
        Assert.Equal(60L, kubernetes["eviction-max-pod-grace-period"]);
        Assert.Equal(80L, kubernetes["image-gc-high-threshold-percent"]);
        Assert.Equal(60L, kubernetes["image-gc-low-threshold-percent"]);
        Assert.Equal(false, kubernetes["cpu-cfs-quota-enforced"]);
    }

    [Fact]
    public void Build_AL2WithAUserScript_PutsTheUserPartFirst()
    {
        var userData = UserDataBuilder.Build("AL2", Inputs("#!/bin/bash\necho 'hello from the user'\n"))!;

        var archive = MimeArchive.Parse(userData);
        Assert.Equal(2, archive.Parts.Count);
        Assert.Equal("#!/bin/bash\necho 'hello from the user'\n", archive.Parts[0].Content);
        Assert.StartsWith("#!/bin/bash -xe\n", archive.Parts[1].Content, StringComparison.Ordinal);
        Assert.Contains("/etc/eks/bootstrap.sh 'demo-cluster'", archive.Parts[1].Content, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_AL2WithAUserMimeArchive_KeepsItsPartsAndHeadersThenBootstraps()
    {
        const string user = "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"==BOUNDARY==\"\r\n\r\n"
            + "--==BOUNDARY==\r\nContent-Type: text/cloud-config; charset=\"us-ascii\"\r\n\r\npackages:\r\n  - jq\r\n"
            + "--==BOUNDARY==\r\nContent-Type: text/x-shellscript; charset=\"us-ascii\"\r\nContent-Transfer-Encoding: 7bit\r\n\r\necho second\r\n"
            + "--==BOUNDARY==--\r\n";

        var userData = UserDataBuilder.Build("Ubuntu", Inputs(user))!;

        Assert.DoesNotContain('\r', userData);
        var archive = MimeArchive.Parse(userData);
        Assert.Equal(3, archive.Parts.Count);
        Assert.Equal(("text/cloud-config; charset=\"us-ascii\"", "packages:\n  - jq"), (archive.Parts[0].ContentType, archive.Parts[0].Content));
        Assert.Equal("echo second", archive.Parts[1].Content);
        Assert.Contains(("Content-Transfer-Encoding", "7bit"), archive.Parts[1].Headers);
        Assert.Contains("--use-max-pods false", archive.Parts[2].Content, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_MimeWithoutBoundary_FailsInWords()
    {
        var error = Assert.Throws<CloudProviderException>(() => UserDataBuilder.Build("AL2", Inputs("MIME-Version: 1.0\nContent-Type: text/plain\n\nhello")));

        Assert.Equal("InvalidUserData", error.Code);
        Assert.Equal("the node template's userData cannot be merged with the bootstrap: the user data starts with MIME headers but is not a multipart archive with a boundary", error.Message);
    }

    [Fact]
    public void Build_Bottlerocket_MergesIntoTheUsersTomlAndOwnsTheJoinSettings()
    {
        const string user = "[settings.kubernetes]\ncluster-name = \"someone-else\"\nmax-pods = 7\nimage-gc-high-threshold-percent = \"85\"\n"
            + "[settings.kubernetes.node-labels]\n\"user.example.com/zone-pinned\" = \"yes\"\nteam = \"from-user\"\n"
            + "[settings.kubernetes.node-taints]\n\"user-taint\" = [\"x:NoSchedule\"]\n"
            + "[settings.host-containers.admin]\nenabled = true\n"
            + "[settings.autoscaling]\nshould-wait = true\n";
        var inputs = Inputs(user) with { Kubelet = new KubeletSettings { KubeReserved = ResourceList.Of("memory", "1Gi") } };

        var toml = TomlSerializer.Deserialize<TomlTable>(UserDataBuilder.Build("Bottlerocket", inputs)!)!;

        var settings = (TomlTable)toml["settings"];
        var kubernetes = (TomlTable)settings["kubernetes"];
        Assert.Equal("demo-cluster", kubernetes["cluster-name"]);
        Assert.Equal("https://ABC.eks.amazonaws.com", kubernetes["api-server"]);
        Assert.Equal("Q0E=", kubernetes["cluster-certificate"]);
        Assert.Equal(29L, kubernetes["max-pods"]);
        Assert.Equal("85", kubernetes["image-gc-high-threshold-percent"]);
        var labels = (TomlTable)kubernetes["node-labels"];
        Assert.Equal("yes", labels["user.example.com/zone-pinned"]);
        Assert.Equal("payments", labels["team"]);
        Assert.Equal("default", labels["karpenter.sh/provisioner-name"]);
        Assert.False(labels.ContainsKey("kubernetes.io/role"));
        var taints = (TomlTable)kubernetes["node-taints"];
        Assert.Equal(["dedicated", "node.cilium.io/agent-not-ready"], taints.Select(t => t.Key).Order(StringComparer.Ordinal));
        Assert.Equal(["gpu:NoSchedule"], ((TomlArray)taints["dedicated"]).Cast<string>());
        Assert.Equal("1Gi", ((TomlTable)kubernetes["kube-reserved"])["memory"]);
        Assert.Equal(true, ((TomlTable)((TomlTable)settings["host-containers"])["admin"])["enabled"]);
        Assert.Equal(false, ((TomlTable)settings["autoscaling"])["should-wait"]);
    }

    [Fact]
    public void Build_BottlerocketWithoutUserData_WritesTheKubernetesSettings()
    {
        var text = UserDataBuilder.Build("Bottlerocket", Inputs() with { Taints = [] })!;

        Assert.Contains("[settings.kubernetes]\ncluster-name = \"demo-cluster\"\napi-server = \"https://ABC.eks.amazonaws.com\"\ncluster-certificate = \"Q0E=\"\nmax-pods = 29\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("node-taints", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_BottlerocketWithBrokenToml_FailsInWords()
    {
        var error = Assert.Throws<CloudProviderException>(() => UserDataBuilder.Build("Bottlerocket", Inputs("[settings.kubernetes\nmax-pods = ")));

        Assert.Equal("InvalidUserData", error.Code);
        Assert.StartsWith("the node template's userData is not valid Bottlerocket TOML: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_Custom_GivesTheUsersUserDataUnchanged()
    {
        Assert.Equal("#!/bin/bash\nmy own bootstrap\n", UserDataBuilder.Build("Custom", Inputs("#!/bin/bash\nmy own bootstrap\n")));
        Assert.Null(UserDataBuilder.Build("Custom", Inputs()));
    }

    [Theory]
    [InlineData("team", true)]
    [InlineData("karpenter.sh/capacity-type", true)]
    [InlineData("node.kubernetes.io/instance-type", true)]
    [InlineData("topology.kubernetes.io/zone", true)]
    [InlineData("x.kubelet.kubernetes.io/a", true)]
    [InlineData("kubernetes.io/role", false)]
    [InlineData("node-role.kubernetes.io/worker", false)]
    [InlineData("k8s.io/anything", false)]
    public void KubeletMaySet_FollowsTheKubeletsLabelRestriction(string key, bool allowed) =>
        Assert.Equal(allowed, UserDataBuilder.KubeletMaySet(key));
}
