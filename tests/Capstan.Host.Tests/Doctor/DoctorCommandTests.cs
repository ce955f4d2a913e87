using Amazon.Runtime;
using Capstan.Aws.Catalog;
using Capstan.Aws.Clients;
using Capstan.Host.Commands;
using Capstan.Sandbox.Aws;
using Capstan.Testing;

namespace Capstan.Host.Tests.Doctor;

/// <summary>
/// <c>capstan doctor --aws</c> through the services serve composes, the real SDK clients and the AWS stand-in
/// (EC2, SSM, Price List, STS, SQS): the table, the fixes and the exit codes.
/// </summary>
public sealed class DoctorCommandTests : IAsyncLifetime, IDisposable
{
    private const string Template = """
        apiVersion: karpenter.k8s.aws/v1alpha1
        kind: AWSNodeTemplate
        metadata:
          name: default
        spec:
          subnetSelector:
            karpenter.sh/discovery: demo-cluster
          securityGroupSelector:
            karpenter.sh/discovery: demo-cluster
          instanceProfile: KarpenterNodeInstanceProfile-demo-cluster
        """;

    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new();
    private readonly Ec2StandIn _ec2 = new();
    private readonly SsmStandIn _ssm = new();
    private readonly SqsStandIn _sqs = new();
    private readonly AwsStandIn _aws = new();

    public async Task InitializeAsync()
    {
        _aws.Add(_ec2).Add(_ssm).Add(new PricingStandIn()).Add(new StsStandIn()).Add(_sqs);
        await _aws.StartAsync().WaitAsync(s_timeout);
        var discovery = new Dictionary<string, string> { ["karpenter.sh/discovery"] = "demo-cluster" };
        _ec2.AddSubnet("subnet-0aaa", "us-east-1a", discovery, 4000);
        _ec2.AddSubnet("subnet-0bbb", "us-east-1b", discovery, 3000);
        _ec2.AddSecurityGroup("sg-0ccc", "eks-cluster-sg-demo", discovery);
        var specs = new[] { "m5.large", "c6a.2xlarge", "m6g.large" }.Select(n => InstanceCatalog.BuiltIn.Specs[n]).ToList();
        _ec2.AddInstanceTypes(specs, ["us-east-1a", "us-east-1b"]);
        _ssm.Put("/aws/service/eks/optimized-ami/1.29/amazon-linux-2/recommended/image_id", "ami-0amd64");
        _ssm.Put("/aws/service/eks/optimized-ami/1.29/amazon-linux-2-arm64/recommended/image_id", "ami-0arm64");
        _sqs.CreateQueue("demo-cluster");
    }

    public async Task DisposeAsync() => await _aws.DisposeAsync();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Doctor_HealthyAccount_PrintsEveryCheckOkAndExits0()
    {
        var (exit, stdout, _) = await RunAsync(Write(Template), "--interruption-queue", "demo-cluster");

        Assert.True(exit == 0, stdout);
        Assert.Contains("credentials", stdout, StringComparison.Ordinal);
        Assert.Contains("account 123456789012", stdout, StringComparison.Ordinal);
        Assert.Contains("us-east-1 (from Capstan:Aws:Region (--region))", stdout, StringComparison.Ordinal);
        Assert.Contains("subnet-0aaa (us-east-1a, 4000 free addresses), subnet-0bbb (us-east-1b, 3000 free addresses)", stdout, StringComparison.Ordinal);
        Assert.Contains("sg-0ccc", stdout, StringComparison.Ordinal);
        Assert.Contains("AL2: amd64 ami-0amd64, arm64 ami-0arm64", stdout, StringComparison.Ordinal);
        Assert.Contains("3 types offered (us-east-1a: 3, us-east-1b: 3)", stdout, StringComparison.Ordinal);
        Assert.Contains("KarpenterNodeInstanceProfile-demo-cluster", stdout, StringComparison.Ordinal);
        Assert.Contains("/123456789012/demo-cluster (0 messages waiting)", stdout, StringComparison.Ordinal);
        Assert.Contains("8 checks: 8 OK, 0 FAIL", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("FAIL ", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_SelectorMatchesNothing_FailsThatRowWithTheFixAndExits1()
    {
        var (exit, stdout, _) = await RunAsync(Write(Template.Replace("subnetSelector:\n    karpenter.sh/discovery: demo-cluster", "subnetSelector:\n    team: nobody", StringComparison.Ordinal)));

        Assert.Equal(1, exit);
        var row = Assert.Single(stdout.Split('\n'), l => l.StartsWith("subnets", StringComparison.Ordinal));
        Assert.Contains("FAIL", row, StringComparison.Ordinal);
        Assert.Contains("team", row, StringComparison.Ordinal);
        Assert.Contains("fix: tag the subnets", stdout, StringComparison.Ordinal);
        Assert.Contains("OK", Assert.Single(stdout.Split('\n'), l => l.StartsWith("security groups", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_MissingQueueAndProfile_FailsBothRows()
    {
        var (exit, stdout, _) = await RunAsync(Write(Template.Replace("  instanceProfile: KarpenterNodeInstanceProfile-demo-cluster", "", StringComparison.Ordinal)),
            "--interruption-queue", "no-such-queue");

        Assert.Equal(1, exit);
        Assert.Contains("fix: set spec.instanceProfile in the AWSNodeTemplate, or pass --default-instance-profile", stdout, StringComparison.Ordinal);
        var queue = Assert.Single(stdout.Split('\n'), l => l.StartsWith("interruption queue", StringComparison.Ordinal));
        Assert.Contains("FAIL", queue, StringComparison.Ordinal);
        Assert.Contains("6 OK, 2 FAIL", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_ThrottledEc2_StillPasses()
    {
        _aws.Fail(new AwsFaultRule { Service = "ec2", Fault = AwsFault.Throttle, Times = 3 });

        var (exit, stdout, _) = await RunAsync(Write(Template));

        Assert.Equal(0, exit);
        Assert.Contains("0 FAIL", stdout, StringComparison.Ordinal);
        Assert.True(_aws.Calls.Count(c => c.Service == "ec2") > 3);
    }

    [Theory]
    [InlineData(new[] { "--cluster-name", "demo-cluster", "--node-template", "x.yaml" }, "say what to check: --aws")]
    [InlineData(new[] { "--aws", "--cluster-name", "demo-cluster" }, "--node-template FILE is required")]
    [InlineData(new[] { "--aws", "--node-template", "x.yaml", "--bogus" }, "unknown option '--bogus'")]
    public async Task Doctor_UnusableArguments_Exit2WithTheReason(string[] args, string reason)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await DoctorCommand.RunAsync(args, stdout, stderr, new AwsEndpoints(_ => null), null, CancellationToken.None);

        Assert.Equal(2, exit);
        Assert.Contains(reason, stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_NoClusterNameOrMissingFile_Exit2NamingTheProblem()
    {
        var (exit, _, stderr) = await RunAsync(Path.Combine(_dir.Path, "missing.yaml"));
        Assert.Equal(2, exit);
        Assert.Contains("missing.yaml does not exist", stderr, StringComparison.Ordinal);

        using var err = new StringWriter();
        var noName = await DoctorCommand.RunAsync(["--aws", "--node-template", Write(Template)], TextWriter.Null, err, new AwsEndpoints(_ => null), null, CancellationToken.None);
        Assert.Equal(2, noName);
        Assert.Contains("Capstan:Cluster:Name (--cluster-name) is required", err.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_FileWithoutTemplate_Exit2()
    {
        var (exit, _, stderr) = await RunAsync(Write("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n"));

        Assert.Equal(2, exit);
        Assert.Contains("holds no AWSNodeTemplate and no Provisioner with an inline spec.provider", stderr, StringComparison.Ordinal);
    }

    private string Write(string yaml)
    {
        var path = Path.Combine(_dir.Path, $"template-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    private async Task<(int Exit, string Stdout, string Stderr)> RunAsync(string file, params string[] extra)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var endpoint = _aws.Endpoint.ToString();
        var exit = await DoctorCommand.RunAsync(
            ["--aws", "--cluster-name", "demo-cluster", "--node-template", file, "--region", "us-east-1", .. extra],
            stdout, stderr, new AwsEndpoints(k => k == "AWS_ENDPOINT_URL" ? endpoint : null), new BasicAWSCredentials("AKIDEXAMPLE", "secret"),
            CancellationToken.None).WaitAsync(s_timeout);
        return (exit, stdout.ToString(), stderr.ToString());
    }
}
