using Amazon.Runtime;
using Capstan.Aws.Clients;
using Capstan.Aws.Doctor;
using Capstan.Core.Ports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Capstan.Aws.Tests.AutoScaling;

public sealed class NodeGroupRegistrationTests
{
    [Fact]
    public async Task AddCapstanAws_NodeGroupProviderAndDoctor_TalkToTheAutoScalingEndpointOverride()
    {
        await using var world = await NodeGroupWorld.StartAsync("m5.large");
        world.Templates.Version("lt-0abc", "ng-template", 1, "m5.large", isDefault: true);
        world.AutoScaling.Add(NodeGroupWorld.Group("ng"));
        var endpoint = world.Read.StandIn.Endpoint.ToString();
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton<IOptions<AwsOptions>>(Options.Create(world.Read.Options));
        services.AddSingleton(new AwsClientFactory(world.Read.Options,
            new AwsEndpoints(k => k is "AWS_ENDPOINT_URL_AUTO_SCALING" or "AWS_ENDPOINT_URL" ? endpoint : null), new BasicAWSCredentials("AKIDEXAMPLE", "secret")));
        services.AddCapstanAws();
        await using var provider = services.BuildServiceProvider();

        var groups = await provider.GetRequiredService<INodeGroupProvider>().DiscoverAsync(CancellationToken.None).WaitAsync(ReadWorld.Timeout);
        var checks = await provider.GetRequiredService<NodeGroupDoctor>().RunAsync(CancellationToken.None).WaitAsync(ReadWorld.Timeout);

        Assert.Equal("m5.large", Assert.Single(groups).PlannedType!.Name);
        Assert.Same(provider.GetRequiredService<INodeGroupProvider>(), provider.GetRequiredService<Capstan.Aws.AutoScaling.AwsNodeGroupProvider>());
        Assert.Equal(["node groups", "node group ng"], checks.Select(c => c.Name));
        Assert.Equal(2, world.Read.StandIn.CallsOf("autoscaling", "DescribeAutoScalingGroups").Count);
    }
}
