using System.Xml.Linq;
using Capstan.Core.InstanceTypes;
using Capstan.Sandbox.Aws;
using Microsoft.Extensions.Time.Testing;

namespace Capstan.Sandbox.Tests.Aws;

/// <summary>
/// EC2 and Auto Scaling stand-ins behind one AWS endpoint on a fake clock, with two subnets, a few instance types,
/// and form posts signed (in scope only) as the SDK signs them, so tests speak the Query API over HTTP.
/// </summary>
internal sealed class AutoScalingHarness : IAsyncDisposable
{
    public static readonly XNamespace As = AutoScalingXml.Namespace;
    public static readonly XNamespace Ec2 = Ec2Xml.Namespace;

    private readonly HttpClient _http = new();

    private AutoScalingHarness()
    {
        Ec2StandIn = new Ec2StandIn(Time) { BootDelay = TimeSpan.FromSeconds(5), ShutdownDelay = TimeSpan.FromSeconds(5) };
        AutoScaling = new AutoScalingStandIn(Ec2StandIn, Time);
        Aws = new AwsStandIn(Time).Add(Ec2StandIn).Add(AutoScaling);
        Ec2StandIn.AddSubnet("subnet-0a", "us-east-1a");
        Ec2StandIn.AddSubnet("subnet-0b", "us-east-1b");
        Ec2StandIn.AddInstanceTypes(
            [Spec("t3.medium", 2, 4096), Spec("c5.xlarge", 4, 8192), Spec("c5a.xlarge", 4, 8192), Spec("m5.xlarge", 4, 16384)],
            ["us-east-1a", "us-east-1b"]);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero));

    public Ec2StandIn Ec2StandIn { get; }

    public AutoScalingStandIn AutoScaling { get; }

    public AwsStandIn Aws { get; }

    public static async Task<AutoScalingHarness> StartAsync()
    {
        var harness = new AutoScalingHarness();
        await harness.Aws.StartAsync();
        return harness;
    }

    public static InstanceTypeSpec Spec(string name, int cpu, long memoryMiB, string arch = "amd64") => new()
    {
        Name = name,
        Family = name.Split('.')[0],
        Category = name[..1],
        Generation = 5,
        Size = name.Split('.')[1],
        Architecture = arch,
        VCpu = cpu,
        MemoryMiB = memoryMiB,
        MaxEnis = 4,
        Ipv4PerEni = 15,
        OnDemandPricePerHour = 0.17,
    };

    /// <summary>A group on a launch template of its own (one on-demand type) or a mixed policy (several types, or spot).</summary>
    public AutoScalingGroupState AddGroup(string name, int min, int desired, int max, string[] types, string capacityType = "on-demand",
        IReadOnlyList<StandInGroupTag>? tags = null, string[]? subnets = null)
    {
        var data = new Dictionary<string, string>(StringComparer.Ordinal) { ["ImageId"] = "ami-0test" };
        var single = types.Length == 1 && capacityType == "on-demand";
        if (single)
        {
            data["InstanceType"] = types[0];
        }

        var template = Ec2StandIn.AddLaunchTemplate("lt-" + name, data);
        return AutoScaling.AddGroup(new AutoScalingGroupSpec
        {
            Name = name,
            MinSize = min,
            MaxSize = max,
            DesiredCapacity = desired,
            SubnetIds = subnets ?? ["subnet-0a", "subnet-0b"],
            LaunchTemplateId = template.Id,
            OverrideInstanceTypes = single ? [] : types,
            CapacityType = capacityType,
            Tags = tags ?? [],
        });
    }

    /// <summary>Posts one Query call to a service; the status and the parsed body.</summary>
    public async Task<(int Status, XElement Body)> CallAsync(string service, string action, params (string Name, string Value)[] parameters)
    {
        var version = service == "ec2" ? "2016-11-15" : "2011-01-01";
        var form = new List<KeyValuePair<string, string>> { new("Action", action), new("Version", version) };
        form.AddRange(parameters.Select(p => new KeyValuePair<string, string>(p.Name, p.Value)));
        using var request = new HttpRequestMessage(HttpMethod.Post, Aws.Endpoint) { Content = new FormUrlEncodedContent(form) };
        request.Headers.TryAddWithoutValidation("Authorization",
            $"AWS4-HMAC-SHA256 Credential=AKIDSANDBOX/20261202/us-east-1/{service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=00");
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, XElement.Parse(text));
    }

    public Task<(int Status, XElement Body)> AutoScalingAsync(string action, params (string Name, string Value)[] parameters) =>
        CallAsync("autoscaling", action, parameters);

    /// <summary>The groups DescribeAutoScalingGroups gives for these parameters (asserting a 200).</summary>
    public async Task<List<XElement>> DescribeGroupsAsync(params (string Name, string Value)[] parameters)
    {
        var (status, body) = await AutoScalingAsync("DescribeAutoScalingGroups", parameters);
        Assert.Equal(200, status);
        return [.. body.Element(As + "DescribeAutoScalingGroupsResult")!.Element(As + "AutoScalingGroups")!.Elements(As + "member")];
    }

    public async Task<XElement> DescribeGroupAsync(string name) =>
        Assert.Single(await DescribeGroupsAsync(("AutoScalingGroupNames.member.1", name)));

    public static List<XElement> Instances(XElement group) => [.. group.Element(As + "Instances")!.Elements(As + "member")];

    public static string Text(XElement element, params string[] path)
    {
        var at = element;
        foreach (var name in path)
        {
            at = at.Element(As + name) ?? throw new InvalidOperationException($"no {name} in {at}");
        }

        return at.Value;
    }

    /// <summary>Asserts an Auto Scaling error reply: 400, Sender, the code and the message.</summary>
    public static void AssertError((int Status, XElement Body) reply, string code, string message)
    {
        Assert.Equal(400, reply.Status);
        Assert.Equal("ErrorResponse", reply.Body.Name.LocalName);
        Assert.Equal(As, reply.Body.Name.Namespace);
        var error = reply.Body.Element(As + "Error")!;
        Assert.Equal("Sender", error.Element(As + "Type")!.Value);
        Assert.Equal(code, error.Element(As + "Code")!.Value);
        Assert.Equal(message, error.Element(As + "Message")!.Value);
        Assert.False(string.IsNullOrEmpty(reply.Body.Element(As + "RequestId")?.Value));
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await Aws.DisposeAsync();
    }
}
