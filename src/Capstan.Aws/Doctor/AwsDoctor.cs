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
            DoctorCheck.Pass("region", clients.Region),
        };

        ResolvedTemplate? resolved = null;
        try
        {
            resolved = await resolver.ResolveAsync(nodeTemplate, cancellationToken);
        }
        catch (CloudProviderException e)
        {
            checks.Add(DoctorCheck.Failed("node template", e.Message,
                "check the template's subnetSelector, securityGroupSelector and amiSelector against the tags in this account and region"));
        }

        if (resolved is not null)
        {
            checks.Add(DoctorCheck.Pass("subnets", string.Join(", ", resolved.Subnets.Select(s =>
                $"{s.SubnetId} ({s.Zone}, {s.AvailableIpAddresses.ToString(CultureInfo.InvariantCulture)} free addresses)"))));
            checks.Add(DoctorCheck.Pass("security groups", string.Join(", ", resolved.SecurityGroupIds)));
            checks.Add(resolved.Amis.Count > 0
                ? DoctorCheck.Pass("AMIs", string.Join(", ", resolved.Amis.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key} {a.Value}")))
                : DoctorCheck.Failed("AMIs", $"no {resolved.AmiFamily} AMI found for Kubernetes {options.KubernetesVersion}",
                    "set amiSelector in the AWSNodeTemplate, or Capstan:Aws:KubernetesVersion to the cluster's version"));
            checks.Add(await InstanceTypesAsync(nodeTemplate, resolved, cancellationToken));
            checks.Add(resolved.InstanceProfile is { Length: > 0 } profile
                ? DoctorCheck.Pass("instance profile", profile)
                : DoctorCheck.Failed("instance profile", "none set", "set spec.instanceProfile in the AWSNodeTemplate, or pass --default-instance-profile"));
        }

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

    private async Task<DoctorCheck> InstanceTypesAsync(NodeTemplate nodeTemplate, ResolvedTemplate resolved, CancellationToken cancellationToken)
    {
        try
        {
            var types = await instanceTypes.GetInstanceTypesAsync(nodeTemplate, KubeletSettings.Default, cancellationToken);
            var byZone = resolved.Zones.Select(zone =>
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
