using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.SimpleSystemsManagement.Model;
using Capstan.Aws.Catalog;
using Capstan.Aws.Conversions;

namespace Capstan.Aws.Tests.Discovery;

/// <summary>The read side of the EC2 and SSM stand-ins answers the real SDK as AWS does, errors included.</summary>
public sealed class Ec2ReadStandInTests
{
    private static readonly TimeSpan s_timeout = ReadWorld.Timeout;

    [Fact]
    public async Task DescribeSubnets_UnknownId_InvalidSubnetIdNotFound()
    {
        await using var world = (await ReadWorld.StartAsync()).WithDemoNetwork();

        var error = await Assert.ThrowsAsync<AmazonEC2Exception>(() => world.Ec2Client.DescribeSubnetsAsync(
            new DescribeSubnetsRequest { SubnetIds = ["subnet-0b1e4f6a2c3d59e01", "subnet-0000000000000dead"] }).WaitAsync(s_timeout));

        Assert.Equal("InvalidSubnetID.NotFound", error.ErrorCode);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal("The subnet ID 'subnet-0000000000000dead' does not exist", error.Message);
    }

    [Theory]
    [InlineData(4, null, "InvalidParameterValue")]
    [InlineData(5, "bm90LWEtdG9rZW4=", "InvalidPaginationToken")]
    public async Task DescribeSubnets_BadPaging_Ec2sErrorCodes(int maxResults, string? token, string code)
    {
        await using var world = (await ReadWorld.StartAsync()).WithDemoNetwork();

        var error = await Assert.ThrowsAsync<AmazonEC2Exception>(() => world.Ec2Client.DescribeSubnetsAsync(
            new DescribeSubnetsRequest { MaxResults = maxResults, NextToken = token }).WaitAsync(s_timeout));

        Assert.Equal(code, error.ErrorCode);
    }

    [Fact]
    public async Task DescribeSecurityGroups_UnknownFilter_InvalidParameterValue()
    {
        await using var world = (await ReadWorld.StartAsync()).WithDemoNetwork();

        var error = await Assert.ThrowsAsync<AmazonEC2Exception>(() => world.Ec2Client.DescribeSecurityGroupsAsync(
            new DescribeSecurityGroupsRequest { Filters = [new Filter("colour", ["blue"])] }).WaitAsync(s_timeout));

        Assert.Equal("InvalidParameterValue", error.ErrorCode);
        Assert.Equal("The filter 'colour' is invalid", error.Message);
    }

    [Fact]
    public async Task DescribeSecurityGroups_WildcardTagFilter_MatchesAsEc2Does()
    {
        await using var world = (await ReadWorld.StartAsync()).WithDemoNetwork();
        world.Ec2.AddSecurityGroup("sg-0aaaaaaaaaaaaaa01", "other", new Dictionary<string, string> { ["karpenter.sh/discovery"] = "prod-cluster" });

        var answer = await world.Ec2Client.DescribeSecurityGroupsAsync(
            new DescribeSecurityGroupsRequest { Filters = [new Filter("tag:karpenter.sh/discovery", ["demo-*"])] }).WaitAsync(s_timeout);

        var group = Assert.Single(answer.SecurityGroups);
        Assert.Equal("sg-0c4d2e7f9a1b3c5d6", group.GroupId);
        Assert.Equal("eks-cluster-sg-demo-cluster-1873204651", group.GroupName);
        Assert.Equal("0.0.0.0/0", group.IpPermissionsEgress.Single().Ipv4Ranges.Single().CidrIp);
        Assert.Equal("owned", group.Tags.Single(t => t.Key == "kubernetes.io/cluster/demo-cluster").Value);
    }

    [Fact]
    public async Task DescribeImages_UnknownId_InvalidAmiIdNotFound()
    {
        await using var world = await ReadWorld.StartAsync();

        var error = await Assert.ThrowsAsync<AmazonEC2Exception>(() => world.Ec2Client.DescribeImagesAsync(
            new DescribeImagesRequest { ImageIds = ["ami-0123456789abcdef0"] }).WaitAsync(s_timeout));

        Assert.Equal("InvalidAMIID.NotFound", error.ErrorCode);
    }

    [Fact]
    public async Task DescribeInstanceTypes_UnknownType_InvalidInstanceType()
    {
        await using var world = (await ReadWorld.StartAsync()).WithTypes("m5.large");

        var error = await Assert.ThrowsAsync<AmazonEC2Exception>(() => world.Ec2Client.DescribeInstanceTypesAsync(
            new DescribeInstanceTypesRequest { InstanceTypes = ["m5.large", "m99.huge"] }).WaitAsync(s_timeout));

        Assert.Equal("InvalidInstanceType", error.ErrorCode);
        Assert.Contains("m99.huge", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DescribeInstanceTypes_GpuAndAcceleratorRecords_ReadBackByTheSdk()
    {
        await using var world = (await ReadWorld.StartAsync()).WithTypes("g5.xlarge", "inf1.xlarge", "dl1.24xlarge");

        var answer = await world.Ec2Client.DescribeInstanceTypesAsync(new DescribeInstanceTypesRequest
        {
            Filters = [new Filter("instance-type", ["g5.*", "inf1.xlarge"])],
        }).WaitAsync(s_timeout);

        var g5 = answer.InstanceTypes.Single(t => t.InstanceType == "g5.xlarge");
        Assert.Equal("A10G", g5.GpuInfo.Gpus.Single().Name);
        Assert.Equal(250, g5.InstanceStorageInfo.TotalSizeInGB);
        Assert.Equal(["x86_64"], g5.ProcessorInfo.SupportedArchitectures);
        var inf1 = answer.InstanceTypes.Single(t => t.InstanceType == "inf1.xlarge");
        Assert.Equal(4, inf1.NeuronInfo.NeuronDevices.Sum(d => d.Count * d.CoreInfo.Count));
        Assert.Equal(2, answer.InstanceTypes.Count);
        foreach (var info in answer.InstanceTypes)
        {
            var catalog = InstanceCatalog.BuiltIn.Specs[info.InstanceType];
            var spec = InstanceTypeConversions.ToSpec(info, null);
            Assert.Equal(catalog with { Zones = [], OnDemandPricePerHour = 0, BranchEnis = 0, CurrentGeneration = spec.CurrentGeneration }, spec);
        }
    }

    [Fact]
    public async Task DescribeSpotPriceHistory_StartTimeNow_GivesThePriceInEffect()
    {
        await using var world = (await ReadWorld.StartAsync()).WithTypes("m5.large");
        var now = world.Time.GetUtcNow();
        world.Ec2.AddSpotPrice("m5.large", "us-east-1a", 0.031, now.AddMinutes(-20));

        var answer = await world.Ec2Client.DescribeSpotPriceHistoryAsync(new DescribeSpotPriceHistoryRequest
        {
            StartTime = now.UtcDateTime,
            ProductDescriptions = ["Linux/UNIX"],
            Filters = [new Filter("availability-zone", ["us-east-1a"])],
        }).WaitAsync(s_timeout);

        var record = Assert.Single(answer.SpotPriceHistory);
        Assert.Equal("0.031000", record.Price);
        Assert.Equal(now.AddMinutes(-20).UtcDateTime, record.Timestamp);
    }

    [Fact]
    public async Task DescribeAvailabilityZones_ZonesOfTheWorld()
    {
        await using var world = (await ReadWorld.StartAsync()).WithDemoNetwork();

        var answer = await world.Ec2Client.DescribeAvailabilityZonesAsync(new DescribeAvailabilityZonesRequest()).WaitAsync(s_timeout);

        Assert.Equal(["us-east-1a", "us-east-1b", "us-east-1c"], answer.AvailabilityZones.Select(z => z.ZoneName));
        Assert.Equal(["use1-az2", "use1-az4", "use1-az6"], answer.AvailabilityZones.Select(z => z.ZoneId));
        Assert.All(answer.AvailabilityZones, z => Assert.Equal(AvailabilityZoneState.Available, z.State));
    }

    [Fact]
    public async Task GetParameter_Missing_ParameterNotFound()
    {
        await using var world = (await ReadWorld.StartAsync()).WithAl2Parameters();

        var found = await world.SsmClient.GetParameterAsync(new GetParameterRequest { Name = "/aws/service/eks/optimized-ami/1.29/amazon-linux-2/recommended/image_id" }).WaitAsync(s_timeout);
        await Assert.ThrowsAsync<ParameterNotFoundException>(() => world.SsmClient.GetParameterAsync(new GetParameterRequest { Name = "/nope" }).WaitAsync(s_timeout));

        Assert.Equal("ami-0a1b2c3d4e5f60001", found.Parameter.Value);
        Assert.Equal(1, found.Parameter.Version);
    }

    [Theory]
    [InlineData("m5.large", "m", "m5", 5, "large")]
    [InlineData("u-6tb1.56xlarge", "u", "u-6tb1", 1, "56xlarge")]
    [InlineData("c7gn.metal", "c", "c7gn", 7, "metal")]
    public void ParseName_KarpentersScheme(string name, string category, string family, int generation, string size) =>
        Assert.Equal((category, family, generation, size), InstanceTypeConversions.ParseName(name));
}
