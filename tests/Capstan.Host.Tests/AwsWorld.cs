using System.Text.Json.Nodes;
using Capstan.Aws.Catalog;
using Capstan.Sandbox.Aws;
using Capstan.Testing;

namespace Capstan.Host.Tests;

/// <summary>
/// The AWS stand-in as the provisioning tests need it: EC2 with two discovered subnets and a security group, the
/// catalog's types and prices, the EKS AMI parameter in SSM; plus the tutorial's objects for the API server stand-in.
/// </summary>
internal sealed class AwsWorld : IAsyncDisposable
{
    private AwsWorld()
    {
    }

    public AwsStandIn Aws { get; } = new();

    public Ec2StandIn Ec2 { get; } = new();

    /// <summary>SQS, with the queue <c>demo-cluster</c> for interruption messages.</summary>
    public SqsStandIn Sqs { get; } = new();

    public static async Task<AwsWorld> StartAsync(string[] instanceTypes, string[] zones)
    {
        var world = new AwsWorld();
        var ssm = new SsmStandIn();
        var pricing = new PricingStandIn();
        world.Aws.Add(world.Ec2).Add(ssm).Add(pricing).Add(world.Sqs).Add(new StsStandIn());
        world.Sqs.CreateQueue("demo-cluster");
        await world.Aws.StartAsync().WaitAsync(TimeSpan.FromSeconds(60));
        var discovery = new Dictionary<string, string> { ["karpenter.sh/discovery"] = "demo-cluster" };
        for (var i = 0; i < zones.Length; i++)
        {
            world.Ec2.AddSubnet($"subnet-0{i}aa", zones[i], discovery, 4000);
        }

        world.Ec2.AddSecurityGroup("sg-0ccc", "eks-cluster-sg-demo", discovery);
        var specs = instanceTypes.Select(n => InstanceCatalog.BuiltIn.Specs[n]).ToList();
        world.Ec2.AddInstanceTypes(specs, zones);
        pricing.AddInstancePrices(specs, "us-east-1");
        ssm.Put("/aws/service/eks/optimized-ami/1.29/amazon-linux-2/recommended/image_id", "ami-0amd64");
        return world;
    }

    /// <summary>The tutorial's AWSNodeTemplate and on-demand Provisioner (label intent=apps), with optional startup taints.</summary>
    public static void AddTutorialProvisioner(FakeApiServer api, string? startupTaintsJson = null)
    {
        api.UpsertNodeTemplate(KubeObjects.AwsNodeTemplate("default", discoveryTag: "demo-cluster"));
        var provisioner = KubeObjects.Provisioner("default", new Dictionary<string, string> { ["intent"] = "apps" });
        provisioner["spec"]!["requirements"] = JsonNode.Parse("""[{"key":"karpenter.sh/capacity-type","operator":"In","values":["on-demand"]}]""");
        if (startupTaintsJson is not null)
        {
            provisioner["spec"]!["startupTaints"] = JsonNode.Parse(startupTaintsJson);
        }

        api.UpsertProvisioner(provisioner);
    }

    /// <summary>An inflate replica as kube-scheduler leaves it when nothing fits: owned by a ReplicaSet, PodScheduled=False/Unschedulable.</summary>
    public static JsonObject UnschedulablePod(string name, string cpu = "1")
    {
        var pod = KubeObjects.Pod("apps", name, cpu: cpu, memory: "1536Mi");
        pod["spec"]!["nodeSelector"] = new JsonObject { ["intent"] = "apps" };
        pod["metadata"]!["ownerReferences"] = JsonNode.Parse("""[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"inflate-6cbd8","uid":"rs-1","controller":true}]""");
        pod["status"]!["conditions"] = JsonNode.Parse("""[{"type":"PodScheduled","status":"False","reason":"Unschedulable","message":"0/0 nodes are available"}]""");
        return pod;
    }

    public ValueTask DisposeAsync() => Aws.DisposeAsync();
}
