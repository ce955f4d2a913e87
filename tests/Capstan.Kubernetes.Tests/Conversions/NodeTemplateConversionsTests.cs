using Capstan.Kubernetes.Conversions;
using Capstan.Kubernetes.Crds;
using k8s;
using BlockDeviceMapping = Capstan.Core.Cloud.BlockDeviceMapping;
using MetadataOptions = Capstan.Core.Cloud.MetadataOptions;

namespace Capstan.Kubernetes.Tests.Conversions;

public sealed class NodeTemplateConversionsTests
{
    private static readonly Dictionary<string, Type> s_types = new()
    {
        ["karpenter.k8s.aws/v1alpha1/AWSNodeTemplate"] = typeof(V1Alpha1AwsNodeTemplate),
        ["karpenter.sh/v1alpha5/Provisioner"] = typeof(V1Alpha5Provisioner),
    };

    [Fact]
    public void ToNodeTemplate_EveryField_Converted()
    {
        var crd = Load<V1Alpha1AwsNodeTemplate>("""
            apiVersion: karpenter.k8s.aws/v1alpha1
            kind: AWSNodeTemplate
            metadata:
              name: default
            spec:
              amiFamily: Bottlerocket
              context: ctx-123
              instanceProfile: KarpenterNodeInstanceProfile-demo
              subnetSelector:
                karpenter.sh/discovery: demo
                Name: "*Private*"
              securityGroupSelector:
                aws-ids: sg-1,sg-2
              amiSelector:
                aws::ids: ami-0123
              tags:
                team: platform
                cost-center: "42"
              userData: |
                [settings.kubernetes]
                max-pods = 110
              launchTemplate: my-template
              metadataOptions:
                httpEndpoint: enabled
                httpProtocolIPv6: disabled
                httpPutResponseHopLimit: 3
                httpTokens: optional
              blockDeviceMappings:
                - deviceName: /dev/xvda
                  ebs:
                    volumeSize: 100Gi
                    volumeType: gp3
                    iops: 10000
                    throughput: 125
                    encrypted: true
                    deleteOnTermination: false
                    kmsKeyID: arn:aws:kms:us-east-1:123456789012:key/abc
                    snapshotID: snap-0abc
                - deviceName: /dev/xvdb
                  ebs:
                    volumeSize: 20G
              detailedMonitoring: true
            """);

        var template = NodeTemplateConversions.ToNodeTemplate(crd);

        Assert.Equal("default", template.Name);
        Assert.Equal("Bottlerocket", template.AmiFamily);
        Assert.Equal("ctx-123", template.Context);
        Assert.Equal("KarpenterNodeInstanceProfile-demo", template.InstanceProfile);
        Assert.Equal(new Dictionary<string, string> { ["karpenter.sh/discovery"] = "demo", ["Name"] = "*Private*" }, template.SubnetSelector);
        Assert.Equal(new Dictionary<string, string> { ["aws-ids"] = "sg-1,sg-2" }, template.SecurityGroupSelector);
        Assert.Equal(new Dictionary<string, string> { ["aws::ids"] = "ami-0123" }, template.AmiSelector);
        Assert.Equal(new Dictionary<string, string> { ["team"] = "platform", ["cost-center"] = "42" }, template.Tags);
        Assert.Equal("[settings.kubernetes]\nmax-pods = 110\n", template.UserData);
        Assert.Equal("my-template", template.LaunchTemplateName);
        Assert.Equal(new MetadataOptions { HttpEndpoint = "enabled", HttpProtocolIPv6 = "disabled", HttpPutResponseHopLimit = 3, HttpTokens = "optional" }, template.MetadataOptions);
        Assert.Equal(2, template.BlockDeviceMappings.Count);
        Assert.Equal(
            new BlockDeviceMapping
            {
                DeviceName = "/dev/xvda",
                VolumeSizeBytes = 100L * 1024 * 1024 * 1024,
                VolumeType = "gp3",
                Iops = 10000,
                Throughput = 125,
                Encrypted = true,
                DeleteOnTermination = false,
                KmsKeyId = "arn:aws:kms:us-east-1:123456789012:key/abc",
                SnapshotId = "snap-0abc",
            },
            template.BlockDeviceMappings[0]);
        Assert.Equal(new BlockDeviceMapping { DeviceName = "/dev/xvdb", VolumeSizeBytes = 20_000_000_000 }, template.BlockDeviceMappings[1]);
        Assert.True(template.DetailedMonitoring);
        Assert.False(template.DiscoverByClusterTag);
    }

    [Fact]
    public void ToNodeTemplate_EmptySpec_LeavesEverythingUnset()
    {
        var crd = Load<V1Alpha1AwsNodeTemplate>("""
            apiVersion: karpenter.k8s.aws/v1alpha1
            kind: AWSNodeTemplate
            metadata:
              name: bare
            spec: {}
            """);

        var template = NodeTemplateConversions.ToNodeTemplate(crd);

        Assert.Equal("bare", template.Name);
        Assert.Null(template.AmiFamily);
        Assert.Null(template.InstanceProfile);
        Assert.Null(template.UserData);
        Assert.Null(template.LaunchTemplateName);
        Assert.Null(template.Context);
        Assert.Empty(template.SubnetSelector);
        Assert.Empty(template.SecurityGroupSelector);
        Assert.Empty(template.AmiSelector);
        Assert.Empty(template.Tags);
        Assert.Empty(template.BlockDeviceMappings);
        Assert.Null(template.MetadataOptions);
        Assert.False(template.DetailedMonitoring);
    }

    [Fact]
    public void FromInlineProvider_ProvisionerProviderBlock_ConvertsEveryField()
    {
        var provisioner = Load<V1Alpha5Provisioner>("""
            apiVersion: karpenter.sh/v1alpha5
            kind: Provisioner
            metadata:
              name: legacy
            spec:
              provider:
                amiFamily: Ubuntu
                instanceProfile: KarpenterNodeInstanceProfile-legacy
                subnetSelector:
                  karpenter.sh/discovery: legacy
                securityGroupSelector:
                  karpenter.sh/discovery: legacy
                tags:
                  owner: me
                launchTemplate: lt-legacy
                context: c-1
                metadataOptions:
                  httpTokens: required
                  httpPutResponseHopLimit: 2
                blockDeviceMappings:
                  - deviceName: /dev/sda1
                    ebs:
                      volumeSize: 50Gi
                      volumeType: gp2
            """);

        var template = NodeTemplateConversions.FromInlineProvider(provisioner.Spec.Provider!);

        Assert.Null(template.Name);
        Assert.Equal("Ubuntu", template.AmiFamily);
        Assert.Equal("KarpenterNodeInstanceProfile-legacy", template.InstanceProfile);
        Assert.Equal(new Dictionary<string, string> { ["karpenter.sh/discovery"] = "legacy" }, template.SubnetSelector);
        Assert.Equal(new Dictionary<string, string> { ["karpenter.sh/discovery"] = "legacy" }, template.SecurityGroupSelector);
        Assert.Equal(new Dictionary<string, string> { ["owner"] = "me" }, template.Tags);
        Assert.Equal("lt-legacy", template.LaunchTemplateName);
        Assert.Equal("c-1", template.Context);
        Assert.Equal(new MetadataOptions { HttpTokens = "required", HttpPutResponseHopLimit = 2 }, template.MetadataOptions);
        var volume = Assert.Single(template.BlockDeviceMappings);
        Assert.Equal(new BlockDeviceMapping { DeviceName = "/dev/sda1", VolumeSizeBytes = 50L << 30, VolumeType = "gp2" }, volume);
        Assert.False(template.DiscoverByClusterTag);
    }

    [Theory]
    [InlineData("{ instanceProfile: p }")]
    [InlineData("{ instanceProfile: p, subnetSelector: { Name: private } }")]
    [InlineData("{ instanceProfile: p, securityGroupSelector: { Name: nodes } }")]
    public void FromInlineProvider_WithoutSelectors_DiscoversByClusterTag(string provider)
    {
        var provisioner = Load<V1Alpha5Provisioner>($"""
            apiVersion: karpenter.sh/v1alpha5
            kind: Provisioner
            metadata:
              name: legacy
            spec:
              provider: {provider}
            """);

        var template = NodeTemplateConversions.FromInlineProvider(provisioner.Spec.Provider!);

        Assert.True(template.DiscoverByClusterTag);
        Assert.Equal("p", template.InstanceProfile);
    }

    [Fact]
    public void FromInlineProvider_WrongValueType_FailsInWords()
    {
        var provisioner = Load<V1Alpha5Provisioner>("""
            apiVersion: karpenter.sh/v1alpha5
            kind: Provisioner
            metadata:
              name: legacy
            spec:
              provider:
                subnetSelector: [not, a, map]
            """);

        var error = Assert.Throws<FormatException>(() => NodeTemplateConversions.FromInlineProvider(provisioner.Spec.Provider!));

        Assert.StartsWith("spec.provider is not a valid AWS provider block", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToNodeTemplate_MalformedVolumeSize_FailsNamingTheField()
    {
        var crd = new V1Alpha1AwsNodeTemplate
        {
            Spec = new AwsNodeTemplateSpec
            {
                BlockDeviceMappings = [new Crds.BlockDeviceMapping { DeviceName = "/dev/xvda", Ebs = new BlockDevice { VolumeSize = new k8s.Models.ResourceQuantity("-5Gi") } }],
            },
        };

        var error = Assert.Throws<FormatException>(() => NodeTemplateConversions.ToNodeTemplate(crd));

        Assert.Contains("blockDeviceMappings[0].ebs.volumeSize", error.Message, StringComparison.Ordinal);
    }

    private static T Load<T>(string yaml) => (T)KubernetesYaml.LoadAllFromString(yaml, s_types).Single();
}
