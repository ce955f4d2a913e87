using Amazon.EC2.Model;

namespace Capstan.Aws.Tests.Launch;

/// <summary>
/// The EC2 stand-in's DescribeLaunchTemplateVersions read by the real AmazonEC2Client: the SDK finds the template
/// data's every member where EC2 puts it, so node group discovery against the sandbox reads what it would read on AWS.
/// </summary>
public sealed class LaunchTemplateVersionsStandInTests
{
    [Fact]
    public async Task DescribeLaunchTemplateVersions_ByIdAndByName_TheSdkReadsTheTemplateData()
    {
        await using var world = await LaunchWorld.StartAsync();
        var template = world.Ec2.AddLaunchTemplate("eks-demo-group1", new Dictionary<string, string>
        {
            ["ImageId"] = "ami-0amd64",
            ["InstanceType"] = "t3.medium",
            ["IamInstanceProfile.Name"] = "eks-node-demo",
            ["SecurityGroupId.1"] = "sg-0c4d2e7f9a1b3c5d6",
            ["MetadataOptions.HttpTokens"] = "required",
            ["MetadataOptions.HttpPutResponseHopLimit"] = "2",
            ["TagSpecification.1.ResourceType"] = "instance",
            ["TagSpecification.1.Tag.1.Key"] = "Name",
            ["TagSpecification.1.Tag.1.Value"] = "demo-group1-node",
        });
        using var client = world.Factory.CreateEc2();

        var byId = await client.DescribeLaunchTemplateVersionsAsync(new DescribeLaunchTemplateVersionsRequest { LaunchTemplateId = template.Id, Versions = ["$Latest"] });
        var version = Assert.Single(byId.LaunchTemplateVersions);
        Assert.Equal((template.Id, "eks-demo-group1", 1L, true), (version.LaunchTemplateId, version.LaunchTemplateName, version.VersionNumber, version.DefaultVersion));
        var data = version.LaunchTemplateData;
        Assert.Equal("t3.medium", data.InstanceType?.Value);
        Assert.Equal("ami-0amd64", data.ImageId);
        Assert.Equal("eks-node-demo", data.IamInstanceProfile.Name);
        Assert.Equal(["sg-0c4d2e7f9a1b3c5d6"], data.SecurityGroupIds);
        Assert.Equal("required", data.MetadataOptions.HttpTokens?.Value);
        Assert.Equal(2, data.MetadataOptions.HttpPutResponseHopLimit);
        var tags = Assert.Single(data.TagSpecifications);
        Assert.Equal("instance", tags.ResourceType?.Value);
        Assert.Equal(("Name", "demo-group1-node"), (tags.Tags[0].Key, tags.Tags[0].Value));

        var byName = await client.DescribeLaunchTemplateVersionsAsync(new DescribeLaunchTemplateVersionsRequest { LaunchTemplateName = "eks-demo-group1", Versions = ["$Default"] });
        Assert.Equal(template.Id, Assert.Single(byName.LaunchTemplateVersions).LaunchTemplateId);
        var missing = await Assert.ThrowsAsync<Amazon.EC2.AmazonEC2Exception>(() =>
            client.DescribeLaunchTemplateVersionsAsync(new DescribeLaunchTemplateVersionsRequest { LaunchTemplateId = template.Id, Versions = ["3"] }));
        Assert.Equal("InvalidLaunchTemplateId.VersionNotFound", missing.ErrorCode);
    }
}
