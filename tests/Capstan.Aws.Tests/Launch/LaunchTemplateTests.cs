using System.Text;
using Amazon.EC2;
using Amazon.EC2.Model;
using Capstan.Aws.Discovery;
using Capstan.Core.Cloud;
using Capstan.Core.Provisioning;
using MetadataOptions = Capstan.Core.Cloud.MetadataOptions;

namespace Capstan.Aws.Tests.Launch;

public sealed class LaunchTemplateTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    private static Task<LaunchResult> LaunchAsync(LaunchWorld world, string claim, ResolvedTemplate? template = null) =>
        world.Launcher.LaunchAsync(LaunchWorld.Request(claim, [LaunchWorld.Type("m5.large", 0.04, 0.096)], "spot"), template ?? LaunchWorld.Template, CancellationToken.None)
            .WaitAsync(s_timeout);

    [Fact]
    public async Task LaunchAsync_TwoClaims_CreateTheTemplateOnceWithTheDefaultsAndReuseIt()
    {
        await using var world = await LaunchWorld.StartAsync();

        await LaunchAsync(world, "claim-a");
        await LaunchAsync(world, "claim-b");

        var create = world.OnlyCall("CreateLaunchTemplate");
        Assert.Single(world.StandIn.CallsOf("ec2", "DescribeLaunchTemplates"));
        Assert.Equal(2, world.StandIn.CallsOf("ec2", "CreateFleet").Count);
        var name = create.Get("LaunchTemplateName")!;
        Assert.Matches("^capstan/demo-cluster/[0-9a-f]{16}$", name);
        Assert.Equal(name, world.StandIn.CallsOf("ec2", "CreateFleet")[1].Get("LaunchTemplateConfigs.1.LaunchTemplateSpecification.LaunchTemplateName"));
        Assert.Equal("capstan-lt-" + name[^16..], create.Get("ClientToken"));

        Assert.Equal("ami-0amd64", create.Get("LaunchTemplateData.ImageId"));
        Assert.Equal("KarpenterNodeInstanceProfile-demo", create.Get("LaunchTemplateData.IamInstanceProfile.Name"));
        Assert.Equal(["sg-0c4d2e7f9a1b3c5d6", "sg-0aaa1111bbbb22223"], create.List("LaunchTemplateData.SecurityGroupId"));
        Assert.Equal("enabled", create.Get("LaunchTemplateData.MetadataOptions.HttpEndpoint"));
        Assert.Equal("disabled", create.Get("LaunchTemplateData.MetadataOptions.HttpProtocolIpv6"));
        Assert.Equal("2", create.Get("LaunchTemplateData.MetadataOptions.HttpPutResponseHopLimit"));
        Assert.Equal("required", create.Get("LaunchTemplateData.MetadataOptions.HttpTokens"));
        Assert.Equal("/dev/xvda", create.Get("LaunchTemplateData.BlockDeviceMapping.1.DeviceName"));
        Assert.Equal("20", create.Get("LaunchTemplateData.BlockDeviceMapping.1.Ebs.VolumeSize"));
        Assert.Equal("gp3", create.Get("LaunchTemplateData.BlockDeviceMapping.1.Ebs.VolumeType"));
        Assert.Equal("true", create.Get("LaunchTemplateData.BlockDeviceMapping.1.Ebs.Encrypted"));
        Assert.Null(create.Get("LaunchTemplateData.BlockDeviceMapping.2.DeviceName"));
        Assert.Equal("false", create.Get("LaunchTemplateData.Monitoring.Enabled"));
        Assert.Equal("instance", create.Get("LaunchTemplateData.TagSpecification.1.ResourceType"));
        Assert.Equal("volume", create.Get("LaunchTemplateData.TagSpecification.2.ResourceType"));
        Assert.Equal("launch-template", create.Get("TagSpecification.1.ResourceType"));
        var template = world.Ec2.LaunchTemplates[name];
        Assert.Equal("owned", template.Tags["kubernetes.io/cluster/demo-cluster"]);
        Assert.Equal("default", template.Tags["karpenter.sh/provisioner-name"]);
        Assert.False(template.Tags.ContainsKey("capstan.dev/node-claim"));

        // The instance carries what the template and the fleet gave it, IMDSv2 included.
        var instance = world.Ec2.Instances[0];
        Assert.Equal("required", instance.MetadataOptions["HttpTokens"]);
        Assert.Equal("claim-a", instance.Tags["capstan.dev/node-claim"]);
        Assert.Equal(template.Id, instance.Tags["aws:ec2launchtemplate:id"]);
    }

    [Fact]
    public async Task LaunchAsync_AfterARestart_FindsTheExistingTemplateByName()
    {
        await using var world = await LaunchWorld.StartAsync();
        await LaunchAsync(world, "claim-a");

        world.NewLauncher();
        await LaunchAsync(world, "claim-b");

        Assert.Single(world.StandIn.CallsOf("ec2", "CreateLaunchTemplate"));
        Assert.Equal(2, world.StandIn.CallsOf("ec2", "DescribeLaunchTemplates").Count);
        Assert.Single(world.Ec2.LaunchTemplates);
        Assert.Equal(2, world.Ec2.Instances.Count);
    }

    [Fact]
    public async Task LaunchAsync_AnotherReplicaCreatesTheTemplateFirst_UsesTheExistingOne()
    {
        await using var world = await LaunchWorld.StartAsync();
        using var racing = new RacingClient(world);
        world.NewLauncher(racing);

        var result = await LaunchAsync(world, "race");

        Assert.True(result.Launched);
        var creates = world.StandIn.CallsOf("ec2", "CreateLaunchTemplate");
        Assert.Equal(2, creates.Count);
        Assert.Single(world.Ec2.LaunchTemplates);
        Assert.Contains(world.Logs.Lines, l => l.Id.Id == 5202);
        Assert.Equal(
            world.Ec2.LaunchTemplates.Keys.Single(),
            world.OnlyCall("CreateFleet").Get("LaunchTemplateConfigs.1.LaunchTemplateSpecification.LaunchTemplateName"));
    }

    [Fact]
    public async Task LaunchAsync_TemplateDeletedBehindItsBack_MakesItAgainAndLaunches()
    {
        await using var world = await LaunchWorld.StartAsync();
        await LaunchAsync(world, "claim-a");
        var name = world.Ec2.LaunchTemplates.Keys.Single();
        using (var client = world.Client())
        {
            await client.DeleteLaunchTemplateAsync(new DeleteLaunchTemplateRequest { LaunchTemplateName = name }).WaitAsync(s_timeout);
        }

        var result = await LaunchAsync(world, "claim-b");

        Assert.True(result.Launched);
        Assert.Equal(2, world.StandIn.CallsOf("ec2", "CreateLaunchTemplate").Count);
        Assert.Equal(3, world.StandIn.CallsOf("ec2", "CreateFleet").Count);
        Assert.Equal(name, world.Ec2.LaunchTemplates.Keys.Single());
    }

    [Fact]
    public async Task LaunchAsync_BottlerocketAndUbuntu_GetTheirFamiliesRootVolumes()
    {
        await using var world = await LaunchWorld.StartAsync();

        await LaunchAsync(world, "br", LaunchWorld.Template with { AmiFamily = AmiFamilies.Bottlerocket });
        await LaunchAsync(world, "ub", LaunchWorld.Template with { AmiFamily = AmiFamilies.Ubuntu });

        var creates = world.StandIn.CallsOf("ec2", "CreateLaunchTemplate");
        Assert.Equal(("/dev/xvda", "4", "/dev/xvdb", "20"), (
            creates[0].Get("LaunchTemplateData.BlockDeviceMapping.1.DeviceName"), creates[0].Get("LaunchTemplateData.BlockDeviceMapping.1.Ebs.VolumeSize"),
            creates[0].Get("LaunchTemplateData.BlockDeviceMapping.2.DeviceName"), creates[0].Get("LaunchTemplateData.BlockDeviceMapping.2.Ebs.VolumeSize")));
        Assert.Equal(("/dev/sda1", "20"), (creates[1].Get("LaunchTemplateData.BlockDeviceMapping.1.DeviceName"), creates[1].Get("LaunchTemplateData.BlockDeviceMapping.1.Ebs.VolumeSize")));
        Assert.Null(creates[1].Get("LaunchTemplateData.BlockDeviceMapping.2.DeviceName"));
    }

    [Fact]
    public async Task LaunchAsync_TemplateSettings_AreSentAsWrittenAndChangeTheTemplateName()
    {
        await using var world = await LaunchWorld.StartAsync();
        var custom = LaunchWorld.Template with
        {
            Template = LaunchWorld.Template.Template with
            {
                MetadataOptions = new MetadataOptions { HttpPutResponseHopLimit = 1, HttpTokens = "optional" },
                BlockDeviceMappings =
                [
                    new Core.Cloud.BlockDeviceMapping
                    {
                        DeviceName = "/dev/xvda", VolumeSizeBytes = 100L << 30, VolumeType = "io2", Iops = 3000, Encrypted = true,
                        KmsKeyId = "arn:aws:kms:us-east-1:123456789012:key/abc", DeleteOnTermination = true,
                    },
                ],
                DetailedMonitoring = true,
                Tags = new Dictionary<string, string> { ["team"] = "payments", ["Name"] = "payments-node" },
            },
        };

        await LaunchAsync(world, "plain");
        await LaunchAsync(world, "custom", custom);

        var creates = world.StandIn.CallsOf("ec2", "CreateLaunchTemplate");
        Assert.Equal(2, creates.Count);
        Assert.NotEqual(creates[0].Get("LaunchTemplateName"), creates[1].Get("LaunchTemplateName"));
        var c = creates[1];
        Assert.Equal("enabled", c.Get("LaunchTemplateData.MetadataOptions.HttpEndpoint"));
        Assert.Equal("1", c.Get("LaunchTemplateData.MetadataOptions.HttpPutResponseHopLimit"));
        Assert.Equal("optional", c.Get("LaunchTemplateData.MetadataOptions.HttpTokens"));
        Assert.Equal("100", c.Get("LaunchTemplateData.BlockDeviceMapping.1.Ebs.VolumeSize"));
        Assert.Equal("io2", c.Get("LaunchTemplateData.BlockDeviceMapping.1.Ebs.VolumeType"));
        Assert.Equal("3000", c.Get("LaunchTemplateData.BlockDeviceMapping.1.Ebs.Iops"));
        Assert.Equal("arn:aws:kms:us-east-1:123456789012:key/abc", c.Get("LaunchTemplateData.BlockDeviceMapping.1.Ebs.KmsKeyId"));
        Assert.Equal("true", c.Get("LaunchTemplateData.BlockDeviceMapping.1.Ebs.DeleteOnTermination"));
        Assert.Equal("true", c.Get("LaunchTemplateData.Monitoring.Enabled"));
        var fleet = world.StandIn.CallsOf("ec2", "CreateFleet")[1];
        var tags = Enumerable.Range(1, 10).Select(i => (fleet.Get($"TagSpecification.1.Tag.{i}.Key"), fleet.Get($"TagSpecification.1.Tag.{i}.Value")))
            .Where(t => t.Item1 is not null).ToDictionary(t => t.Item1!, t => t.Item2!);
        Assert.Equal("payments-node", tags["Name"]);
        Assert.Equal("payments", tags["team"]);
        Assert.Equal("custom", tags["capstan.dev/node-claim"]);
    }

    [Fact]
    public async Task LaunchAsync_AmiFamilies_WriteTheirBootstrapIntoTheTemplate()
    {
        await using var world = await LaunchWorld.StartAsync();

        await LaunchAsync(world, "al2");

        var userData = Encoding.UTF8.GetString(Convert.FromBase64String(world.OnlyCall("CreateLaunchTemplate").Get("LaunchTemplateData.UserData")!));
        Assert.StartsWith("MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"//\"\n\n--//\nContent-Type: text/x-shellscript; charset=\"us-ascii\"\n\n#!/bin/bash -xe\n", userData, StringComparison.Ordinal);
        Assert.Contains(
            $"/etc/eks/bootstrap.sh 'demo-cluster' --apiserver-endpoint '{LaunchWorld.Endpoint}' --b64-cluster-ca '{LaunchWorld.CaBundle}' \\\n--use-max-pods false \\\n"
            + "--kubelet-extra-args '--node-labels=karpenter.sh/provisioner-name=default,team=payments --max-pods=29'\n",
            userData, StringComparison.Ordinal);
        Assert.EndsWith("\n--//--\n", userData, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LaunchAsync_KubeletConfiguration_ReachesTheBootstrapInTheTemplate()
    {
        await using var world = await LaunchWorld.StartAsync();
        var request = LaunchWorld.Request("kubelet", [LaunchWorld.Type("m5.large", 0.04, 0.096)], "spot") with
        {
            Kubelet = new KubeletSettings { ClusterDns = ["10.100.0.10"], ImageGcHighThresholdPercent = 80, CpuCfsQuota = false },
        };

        await world.Launcher.LaunchAsync(request, LaunchWorld.Template, CancellationToken.None).WaitAsync(s_timeout);

        var userData = Encoding.UTF8.GetString(Convert.FromBase64String(world.OnlyCall("CreateLaunchTemplate").Get("LaunchTemplateData.UserData")!));
        Assert.Contains(" \\\n--dns-cluster-ip '10.100.0.10' \\\n--use-max-pods false", userData, StringComparison.Ordinal);
        Assert.Contains("--image-gc-high-threshold=80 --cpu-cfs-quota=false'", userData, StringComparison.Ordinal);
    }

    /// <summary>An EC2 client whose create loses the race: another replica creates the same template just before.</summary>
    private sealed class RacingClient(LaunchWorld world) : AmazonEC2Client(new Amazon.Runtime.BasicAWSCredentials("AKIDEXAMPLE", "secret"), world.Factory.Configure(new AmazonEC2Config(), "EC2"))
    {
        private int _raced;

        public override async Task<CreateLaunchTemplateResponse> CreateLaunchTemplateAsync(CreateLaunchTemplateRequest request, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Exchange(ref _raced, 1) == 0)
            {
                using var other = world.Client();
                var copy = new CreateLaunchTemplateRequest
                {
                    LaunchTemplateName = request.LaunchTemplateName,
                    LaunchTemplateData = request.LaunchTemplateData,
                    TagSpecifications = request.TagSpecifications,
                };
                await other.CreateLaunchTemplateAsync(copy, cancellationToken);
            }

            return await base.CreateLaunchTemplateAsync(request, cancellationToken);
        }
    }
}
