using System.Net;
using Amazon.Runtime;
using Capstan.Aws.AutoScaling;
using Capstan.Aws.Clients;
using Capstan.Sandbox.Aws;

namespace Capstan.Aws.Tests.AutoScaling;

public sealed class AutoScalingClientTests
{
    private static readonly TimeSpan s_timeout = ReadWorld.Timeout;

    /// <summary>A DescribeAutoScalingGroups answer as AWS writes it (member lists, every group member Capstan reads, some it does not).</summary>
    private const string MixedGroupAnswer = """
        <DescribeAutoScalingGroupsResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/">
          <DescribeAutoScalingGroupsResult>
            <AutoScalingGroups>
              <member>
                <AutoScalingGroupARN>arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:12ab:autoScalingGroupName/spot-ng</AutoScalingGroupARN>
                <AutoScalingGroupName>spot-ng</AutoScalingGroupName>
                <MixedInstancesPolicy>
                  <LaunchTemplate>
                    <LaunchTemplateSpecification>
                      <LaunchTemplateId>lt-0def</LaunchTemplateId>
                      <LaunchTemplateName>spot-template</LaunchTemplateName>
                      <Version>$Latest</Version>
                    </LaunchTemplateSpecification>
                    <Overrides>
                      <member><InstanceType>c5.xlarge</InstanceType><WeightedCapacity>2</WeightedCapacity></member>
                      <member><LaunchTemplateSpecification><LaunchTemplateId>lt-0arm</LaunchTemplateId><Version>3</Version></LaunchTemplateSpecification></member>
                      <member><InstanceRequirements><VCpuCount><Min>2</Min></VCpuCount></InstanceRequirements></member>
                    </Overrides>
                  </LaunchTemplate>
                  <InstancesDistribution>
                    <OnDemandAllocationStrategy>prioritized</OnDemandAllocationStrategy>
                    <OnDemandBaseCapacity>0</OnDemandBaseCapacity>
                    <OnDemandPercentageAboveBaseCapacity>0</OnDemandPercentageAboveBaseCapacity>
                    <SpotAllocationStrategy>price-capacity-optimized</SpotAllocationStrategy>
                  </InstancesDistribution>
                </MixedInstancesPolicy>
                <MinSize>1</MinSize>
                <MaxSize>20</MaxSize>
                <DesiredCapacity>3</DesiredCapacity>
                <DefaultCooldown>300</DefaultCooldown>
                <AvailabilityZones><member>us-east-1a</member><member>us-east-1c</member></AvailabilityZones>
                <LoadBalancerNames/>
                <TargetGroupARNs/>
                <HealthCheckType>EC2</HealthCheckType>
                <HealthCheckGracePeriod>300</HealthCheckGracePeriod>
                <Instances>
                  <member>
                    <InstanceId>i-0123456789abcdef0</InstanceId>
                    <InstanceType>c5.xlarge</InstanceType>
                    <AvailabilityZone>us-east-1c</AvailabilityZone>
                    <LifecycleState>InService</LifecycleState>
                    <HealthStatus>Healthy</HealthStatus>
                    <LaunchTemplate><LaunchTemplateId>lt-0def</LaunchTemplateId><LaunchTemplateName>spot-template</LaunchTemplateName><Version>7</Version></LaunchTemplate>
                    <ProtectedFromScaleIn>false</ProtectedFromScaleIn>
                    <WeightedCapacity>2</WeightedCapacity>
                  </member>
                </Instances>
                <CreatedTime>2026-11-20T08:30:00.123Z</CreatedTime>
                <SuspendedProcesses/>
                <VPCZoneIdentifier>subnet-0aaa,subnet-0ccc</VPCZoneIdentifier>
                <EnabledMetrics/>
                <Tags>
                  <member>
                    <ResourceId>spot-ng</ResourceId>
                    <PropagateAtLaunch>true</PropagateAtLaunch>
                    <Value>true</Value>
                    <Key>k8s.io/cluster-autoscaler/enabled</Key>
                    <ResourceType>auto-scaling-group</ResourceType>
                  </member>
                </Tags>
                <TerminationPolicies><member>Default</member></TerminationPolicies>
                <NewInstancesProtectedFromScaleIn>false</NewInstancesProtectedFromScaleIn>
                <CapacityRebalance>true</CapacityRebalance>
                <Status>Delete in progress</Status>
              </member>
            </AutoScalingGroups>
            <NextToken>token-2</NextToken>
          </DescribeAutoScalingGroupsResult>
          <ResponseMetadata><RequestId>0a1b2c3d-1111-2222-3333-444455556666</RequestId></ResponseMetadata>
        </DescribeAutoScalingGroupsResponse>
        """;

    [Fact]
    public async Task DescribeAutoScalingGroupsAsync_SignedQueryForm_WithMemberLists()
    {
        await using var world = await NodeGroupWorld.StartAsync("m5.large");

        await world.Client.DescribeAutoScalingGroupsAsync(new DescribeAutoScalingGroupsRequest
        {
            AutoScalingGroupNames = ["ng-a", "ng b"],
            Filters = [new Filter { Name = "tag-key", Values = ["k8s.io/cluster-autoscaler/enabled", "x=y&z"] }, new Filter { Name = "tag:team", Values = ["ml"] }],
            MaxRecords = 25,
        }, CancellationToken.None).WaitAsync(s_timeout);

        var call = Assert.Single(world.Read.StandIn.CallsOf("autoscaling", "DescribeAutoScalingGroups"));
        Assert.Equal(new Dictionary<string, string>
        {
            ["Action"] = "DescribeAutoScalingGroups",
            ["Version"] = "2011-01-01",
            ["AutoScalingGroupNames.member.1"] = "ng-a",
            ["AutoScalingGroupNames.member.2"] = "ng b",
            ["Filters.member.1.Name"] = "tag-key",
            ["Filters.member.1.Values.member.1"] = "k8s.io/cluster-autoscaler/enabled",
            ["Filters.member.1.Values.member.2"] = "x=y&z",
            ["Filters.member.2.Name"] = "tag:team",
            ["Filters.member.2.Values.member.1"] = "ml",
            ["MaxRecords"] = "25",
        }, call.Parameters.ToDictionary());
        Assert.StartsWith("Action=DescribeAutoScalingGroups&Version=2011-01-01&AutoScalingGroupNames.member.1=ng-a&AutoScalingGroupNames.member.2=ng%20b", call.Body, StringComparison.Ordinal);
        Assert.Contains("x%3Dy%26z", call.Body, StringComparison.Ordinal);
        Assert.StartsWith("application/x-www-form-urlencoded", call.Headers["content-type"], StringComparison.Ordinal);
        Assert.Matches(@"^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261201/us-east-1/autoscaling/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$", call.Headers["authorization"]);
        Assert.Contains("x-amz-date", call.Headers["authorization"], StringComparison.Ordinal);
        Assert.Equal("20261201T100000Z", call.Headers["x-amz-date"]);
    }

    [Fact]
    public async Task DescribeAutoScalingGroupsAsync_AwsAnswer_ReadsEveryMemberCapstanUses()
    {
        using var handler = new FixedAnswer(HttpStatusCode.OK, MixedGroupAnswer);
        using var client = Client(handler);

        var page = await client.DescribeAutoScalingGroupsAsync(new DescribeAutoScalingGroupsRequest(), CancellationToken.None).WaitAsync(s_timeout);

        Assert.Equal("token-2", page.NextToken);
        var group = Assert.Single(page.AutoScalingGroups);
        Assert.Equal(("spot-ng", 1, 20, 3), (group.AutoScalingGroupName, group.MinSize, group.MaxSize, group.DesiredCapacity));
        Assert.Equal(["us-east-1a", "us-east-1c"], group.AvailabilityZones);
        Assert.Equal("subnet-0aaa,subnet-0ccc", group.VPCZoneIdentifier);
        Assert.Null(group.LaunchTemplate);
        Assert.Equal("Delete in progress", group.Status);
        var mixed = group.MixedInstancesPolicy!;
        Assert.Equal(new LaunchTemplateSpecification { LaunchTemplateId = "lt-0def", LaunchTemplateName = "spot-template", Version = "$Latest" }, mixed.LaunchTemplate!.LaunchTemplateSpecification);
        Assert.Equal(3, mixed.LaunchTemplate.Overrides.Count);
        Assert.Equal(("c5.xlarge", "2"), (mixed.LaunchTemplate.Overrides[0].InstanceType, mixed.LaunchTemplate.Overrides[0].WeightedCapacity));
        Assert.Equal(new LaunchTemplateSpecification { LaunchTemplateId = "lt-0arm", Version = "3" }, mixed.LaunchTemplate.Overrides[1].LaunchTemplateSpecification);
        Assert.True(mixed.LaunchTemplate.Overrides[2].HasInstanceRequirements);
        Assert.Equal(new InstancesDistribution { OnDemandBaseCapacity = 0, OnDemandPercentageAboveBaseCapacity = 0, SpotAllocationStrategy = "price-capacity-optimized" }, mixed.InstancesDistribution);
        var instance = Assert.Single(group.Instances);
        Assert.Equal(("i-0123456789abcdef0", "c5.xlarge", "us-east-1c", "InService", "Healthy"), (instance.InstanceId, instance.InstanceType, instance.AvailabilityZone, instance.LifecycleState, instance.HealthStatus));
        Assert.Equal("7", instance.LaunchTemplate!.Version);
        Assert.Equal(new TagDescription { Key = "k8s.io/cluster-autoscaler/enabled", Value = "true", PropagateAtLaunch = true, ResourceId = "spot-ng", ResourceType = "auto-scaling-group" }, Assert.Single(group.Tags));
    }

    [Fact]
    public async Task ErrorResponse_SurfacesCodeStatusMessageAndRequestId()
    {
        const string Body = """
            <ErrorResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/">
              <Error><Type>Sender</Type><Code>ScalingActivityInProgress</Code><Message>Scaling activity 12ab is in progress and blocks this action.</Message></Error>
              <RequestId>9f8e7d6c-0000-1111-2222-333344445555</RequestId>
            </ErrorResponse>
            """;
        using var handler = new FixedAnswer(HttpStatusCode.BadRequest, Body);
        using var client = Client(handler);

        var error = await Assert.ThrowsAsync<AmazonServiceException>(() => client.SetDesiredCapacityAsync(
            new SetDesiredCapacityRequest { AutoScalingGroupName = "ng", DesiredCapacity = 2 }, CancellationToken.None).WaitAsync(s_timeout));

        Assert.Equal("ScalingActivityInProgress", error.ErrorCode);
        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal(ErrorType.Sender, error.ErrorType);
        Assert.Equal("Scaling activity 12ab is in progress and blocks this action.", error.Message);
        Assert.Equal("9f8e7d6c-0000-1111-2222-333344445555", error.RequestId);
        Assert.True(AwsPipelines.IsTransient(error));
    }

    [Fact]
    public async Task NonXmlAnswers_StatusOnlyErrorOrUnreadableAnswer()
    {
        using (var gateway = new FixedAnswer(HttpStatusCode.BadGateway, "<html>bad gateway"))
        using (var client = Client(gateway))
        {
            var error = await Assert.ThrowsAsync<AmazonServiceException>(() => client.DescribeScalingActivitiesAsync(new DescribeScalingActivitiesRequest(), CancellationToken.None).WaitAsync(s_timeout));
            Assert.Null(error.ErrorCode);
            Assert.Equal(HttpStatusCode.BadGateway, error.StatusCode);
            Assert.Equal("Auto Scaling DescribeScalingActivities failed with HTTP 502 Bad Gateway and an answer that could not be read",
                AwsErrors.Translate(AwsNodeGroupProvider.Service, "DescribeScalingActivities", error).Message);
        }

        using var garbled = new FixedAnswer(HttpStatusCode.OK, "<<not xml");
        using var reader = Client(garbled);
        var unreadable = await Assert.ThrowsAsync<AmazonServiceException>(() => reader.DescribeScalingActivitiesAsync(new DescribeScalingActivitiesRequest(), CancellationToken.None).WaitAsync(s_timeout));
        Assert.Equal("The Auto Scaling DescribeScalingActivities answer could not be read", unreadable.Message);
    }

    [Fact]
    public async Task SetDesiredTerminateAndActivities_OnTheWire()
    {
        await using var world = await NodeGroupWorld.StartAsync("m5.large");
        world.AutoScaling.Add(NodeGroupWorld.Group("ng"));

        await world.Client.SetDesiredCapacityAsync(new SetDesiredCapacityRequest { AutoScalingGroupName = "ng", DesiredCapacity = 4, HonorCooldown = false }, CancellationToken.None).WaitAsync(s_timeout);
        var terminated = await world.Client.TerminateInstanceInAutoScalingGroupAsync(
            new TerminateInstanceInAutoScalingGroupRequest { InstanceId = "i-02aaa", ShouldDecrementDesiredCapacity = true }, CancellationToken.None).WaitAsync(s_timeout);
        var activities = await world.Client.DescribeScalingActivitiesAsync(new DescribeScalingActivitiesRequest { AutoScalingGroupName = "ng", MaxRecords = 10 }, CancellationToken.None).WaitAsync(s_timeout);

        var set = Assert.Single(world.Read.StandIn.CallsOf("autoscaling", "SetDesiredCapacity"));
        Assert.Equal(("ng", "4", "false"), (set.Get("AutoScalingGroupName"), set.Get("DesiredCapacity"), set.Get("HonorCooldown")));
        var terminate = Assert.Single(world.Read.StandIn.CallsOf("autoscaling", "TerminateInstanceInAutoScalingGroup"));
        Assert.Equal(("i-02aaa", "true"), (terminate.Get("InstanceId"), terminate.Get("ShouldDecrementDesiredCapacity")));
        Assert.Equal("a-terminate-i-02aaa", terminated.Activity!.ActivityId);
        Assert.Equal("Terminating EC2 instance: i-02aaa", terminated.Activity.Description);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero), terminated.Activity.StartTime);
        Assert.Equal(("InProgress", 0), (terminated.Activity.StatusCode, terminated.Activity.Progress));
        Assert.Equal(3, world.AutoScaling.Group("ng").DesiredCapacity);
        Assert.Equal("a-1", Assert.Single(activities.Activities).ActivityId);
        var describe = Assert.Single(world.Read.StandIn.CallsOf("autoscaling", "DescribeScalingActivities"));
        Assert.Equal(("ng", "10"), (describe.Get("AutoScalingGroupName"), describe.Get("MaxRecords")));
    }

    [Theory]
    [InlineData("http://autoscaling.local:4566", "http://global.local:4566", "http://autoscaling.local:4566/")]
    [InlineData(null, "http://global.local:4566", "http://global.local:4566/")]
    [InlineData(null, null, "https://autoscaling.eu-west-1.amazonaws.com/")]
    public void Endpoint_ServiceOverrideThenGlobalThenTheRegions(string? specific, string? global, string expected)
    {
        var options = new AwsOptions { ClusterName = "demo-cluster", Region = "eu-west-1" };
        var endpoints = new AwsEndpoints(k => k switch
        {
            "AWS_ENDPOINT_URL_AUTO_SCALING" => specific,
            "AWS_ENDPOINT_URL" => global,
            _ => null,
        });
        using var client = new AutoScalingClient(new AwsClientFactory(options, endpoints, new BasicAWSCredentials("AKIDEXAMPLE", "secret")), options, TimeProvider.System);

        Assert.Equal(new Uri(expected), client.Endpoint);
        Assert.Equal("eu-west-1", client.Region);
    }

    private static AutoScalingClient Client(HttpMessageHandler handler) =>
        new(new Uri("http://127.0.0.1:9/"), "us-east-1", _ => Task.FromResult<AWSCredentials>(new BasicAWSCredentials("AKIDEXAMPLE", "secret")),
            TimeProvider.System, TimeSpan.FromSeconds(10), handler);

    /// <summary>Answers every request with one status and body.</summary>
    private sealed class FixedAnswer(HttpStatusCode status, string body) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(body, System.Text.Encoding.UTF8, AwsReply.XmlContentType.Split(';')[0]) });
    }
}
