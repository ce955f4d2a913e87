using System.Globalization;
using Amazon.SecurityToken.Model;
using Amazon.SQS.Model;
using Capstan.Aws.Clients;
using Capstan.Aws.Discovery;
using Capstan.Aws.Offerings;
using Capstan.Core.Cloud;
using Capstan.Core.Provisioning;

namespace Capstan.Aws.Doctor;

/// <summary>
/// <c>capstan doctor --aws</c>: checks, through the code the service itself runs (the same clients, pipelines,
/// resolver and instance-type provider), that this account, region and node template can launch nodes.
/// Each check is one row; a failed check says how to fix it, and later checks still run where they can.
/// </summary>
public sealed class AwsDoctor(
    AwsClientFactory clients,
    AwsPipelines pipelines,
    AwsOptions options,
    TemplateResolver resolver,
    InstanceTypeProvider instanceTypes)
{
    public async Task<IReadOnlyList<DoctorCheck>> RunAsync(NodeTemplate nodeTemplate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(nodeTemplate);
        var checks = new List<DoctorCheck>
        {
            await CredentialsAsync(cancellationToken),
            clients.RegionSource is { } source
                ? DoctorCheck.Pass("region", $"{clients.Region} (from {source})")
                : DoctorCheck.Failed("region", "no region is set; us-east-1 was assumed", "pass --region, or set AWS_REGION"),
        };

        var subnets = await RowAsync("subnets", () => resolver.SubnetsAsync(nodeTemplate, cancellationToken),
            found => string.Join(", ", found.Select(s => $"{s.SubnetId} ({s.Zone}, {s.AvailableIpAddresses.ToString(CultureInfo.InvariantCulture)} free addresses)")),
            "tag the subnets the template's subnetSelector names in this account and region, or change the selector; Capstan needs ec2:DescribeSubnets",
            checks);
        await RowAsync("security groups", () => resolver.SecurityGroupsAsync(nodeTemplate, cancellationToken),
            found => string.Join(", ", found),
            "tag the security groups the template's securityGroupSelector names, or change the selector; Capstan needs ec2:DescribeSecurityGroups",
            checks);
        var family = AmiFamilies.Normalize(nodeTemplate.AmiFamily);
        if (family is null)
        {
            checks.Add(DoctorCheck.Failed("AMIs", $"the AMI family \"{nodeTemplate.AmiFamily}\" is not one Capstan knows", "use AL2, Bottlerocket, Ubuntu or Custom"));
        }
        else
        {
            await RowAsync("AMIs", () => resolver.AmisAsync(nodeTemplate, family, cancellationToken),
                found => $"{family}: " + string.Join(", ", found.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key} {a.Value}")),
                $"set amiSelector in the AWSNodeTemplate, or Capstan:Aws:KubernetesVersion to the cluster's version (now {options.KubernetesVersion}); Capstan needs ssm:GetParameters and ec2:DescribeImages",
                checks);
        }

        if (subnets is { Count: > 0 })
        {
            checks.Add(await InstanceTypesAsync(nodeTemplate, [.. subnets.Select(s => s.Zone).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)], cancellationToken));
        }

        var profile = string.IsNullOrWhiteSpace(nodeTemplate.InstanceProfile) ? options.DefaultInstanceProfile : nodeTemplate.InstanceProfile;
        checks.Add(!string.IsNullOrWhiteSpace(profile) || !string.IsNullOrWhiteSpace(nodeTemplate.LaunchTemplateName)
            ? DoctorCheck.Pass("instance profile", profile ?? $"from launch template {nodeTemplate.LaunchTemplateName}")
            : DoctorCheck.Failed("instance profile", "none set", "set spec.instanceProfile in the AWSNodeTemplate, or pass --default-instance-profile"));

        if (!string.IsNullOrWhiteSpace(options.InterruptionQueue))
        {
            checks.Add(await QueueAsync(options.InterruptionQueue, cancellationToken));
        }

        return checks;
    }

    private async Task<DoctorCheck> CredentialsAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var sts = clients.CreateSts();
            var identity = await AwsPipelines.RunAsync(pipelines.Idempotent("STS"), "STS", "GetCallerIdentity",
                token => sts.GetCallerIdentityAsync(new GetCallerIdentityRequest(), token), cancellationToken);
            return DoctorCheck.Pass("credentials", $"account {identity.Account} as {identity.Arn}");
        }
        catch (CloudProviderException e)
        {
            return DoctorCheck.Failed("credentials", e.Message,
                "give Capstan AWS credentials: the IRSA role annotation on its ServiceAccount, an EKS Pod Identity association, AWS_PROFILE, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY");
        }
    }

    /// <summary>Runs one lookup as a row: its finding on success, the failure in words with the fix otherwise.</summary>
    private static async Task<T?> RowAsync<T>(string name, Func<Task<T>> lookup, Func<T, string> describe, string fix, List<DoctorCheck> checks)
        where T : class
    {
        try
        {
            var found = await lookup();
            checks.Add(DoctorCheck.Pass(name, describe(found)));
            return found;
        }
        catch (CloudProviderException e)
        {
            checks.Add(DoctorCheck.Failed(name, e.Message, fix));
            return null;
        }
    }

    private async Task<DoctorCheck> InstanceTypesAsync(NodeTemplate nodeTemplate, IReadOnlyList<string> zones, CancellationToken cancellationToken)
    {
        try
        {
            var types = await instanceTypes.GetInstanceTypesAsync(nodeTemplate, KubeletSettings.Default, cancellationToken);
            var byZone = zones.Select(zone =>
                $"{zone}: {types.Count(t => t.Offerings.Any(o => o.Zone == zone && o.Available)).ToString(CultureInfo.InvariantCulture)}");
            return types.Count > 0
                ? DoctorCheck.Pass("instance types", $"{types.Count.ToString(CultureInfo.InvariantCulture)} types offered ({string.Join(", ", byZone)})")
                : DoctorCheck.Failed("instance types", "no instance type is offered in the subnets' zones", "select subnets in zones where EC2 offers instance types");
        }
        catch (CloudProviderException e)
        {
            return DoctorCheck.Failed("instance types", e.Message, "allow ec2:DescribeInstanceTypes, ec2:DescribeInstanceTypeOfferings and ec2:DescribeSpotPriceHistory");
        }
    }

    private async Task<DoctorCheck> QueueAsync(string queue, CancellationToken cancellationToken)
    {
        try
        {
            using var sqs = clients.CreateSqs();
            var url = queue.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || queue.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
                ? queue
                : (await AwsPipelines.RunAsync(pipelines.Idempotent("SQS"), "SQS", "GetQueueUrl",
                    token => sqs.GetQueueUrlAsync(new GetQueueUrlRequest { QueueName = queue }, token), cancellationToken)).QueueUrl;
            var attributes = await AwsPipelines.RunAsync(pipelines.Idempotent("SQS"), "SQS", "GetQueueAttributes",
                token => sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest { QueueUrl = url, AttributeNames = ["ApproximateNumberOfMessages"] }, token),
                cancellationToken);
            var waiting = attributes.Attributes?.GetValueOrDefault("ApproximateNumberOfMessages") ?? "0";
            return DoctorCheck.Pass("interruption queue", $"{url} ({waiting} messages waiting)");
        }
        catch (CloudProviderException e)
        {
            return DoctorCheck.Failed("interruption queue", e.Message,
                "create the queue with the EventBridge rules for spot interruptions, rebalance, scheduled changes and state changes, and allow sqs:GetQueueUrl, sqs:ReceiveMessage, sqs:DeleteMessage");
        }
    }
}
