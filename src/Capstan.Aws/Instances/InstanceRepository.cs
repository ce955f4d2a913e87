using Amazon.EC2;
using Amazon.EC2.Model;
using Capstan.Aws.Clients;
using Capstan.Core.Cloud;
using Microsoft.Extensions.Logging;

namespace Capstan.Aws.Instances;

/// <summary>
/// The instances Capstan owns in EC2: terminate by providerID (an instance already gone counts as done), get by
/// providerID, and list every live instance with the cluster's and the provisioner's tags (for recovery and
/// garbage collection).
/// </summary>
public sealed class InstanceRepository
{
    public const string NotFoundCode = "InvalidInstanceID.NotFound";

    /// <summary>The states of an instance that still exists (or may come back): everything but terminated.</summary>
    public static readonly IReadOnlyList<string> LiveStates = ["pending", "running", "stopping", "stopped", "shutting-down"];

    private readonly IAmazonEC2 _ec2;
    private readonly AwsPipelines _pipelines;
    private readonly AwsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<InstanceRepository> _logger;

    public InstanceRepository(IAmazonEC2 ec2, AwsPipelines pipelines, AwsOptions options, TimeProvider time, ILogger<InstanceRepository> logger)
    {
        _ec2 = ec2;
        _pipelines = pipelines;
        _options = options;
        _time = time;
        _logger = logger;
    }

    public InstanceRepository(AwsClientFactory clients, AwsPipelines pipelines, AwsOptions options, TimeProvider time, ILogger<InstanceRepository> logger)
        : this((clients ?? throw new ArgumentNullException(nameof(clients))).CreateEc2(), pipelines, options, time, logger)
    {
    }

    /// <summary>Page size of <see cref="ListAsync"/>.</summary>
    public int PageSize { get; init; } = 1000;

    /// <summary>Terminates the instance; true when EC2 knew it (terminated already counts), false when it does not.</summary>
    public async Task<bool> TerminateAsync(string providerId, CancellationToken cancellationToken)
    {
        var instanceId = InstanceId(providerId);
        try
        {
            var response = await AwsPipelines.RunAsync(_pipelines.Idempotent("EC2"), "EC2", "TerminateInstances",
                ct => _ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [instanceId] }, ct), cancellationToken);
            var change = response.TerminatingInstances?.FirstOrDefault(c => c.InstanceId == instanceId);
            _logger.InstanceTerminating(instanceId, change?.PreviousState?.Name?.Value ?? "unknown", change?.CurrentState?.Name?.Value ?? "unknown");
            return true;
        }
        catch (CloudProviderException ex) when (ex.Code == NotFoundCode)
        {
            _logger.InstanceAlreadyGone(instanceId);
            return false;
        }
    }

    /// <summary>The instance behind a providerID; null when EC2 does not know it or it is terminated.</summary>
    public async Task<CloudInstance?> GetAsync(string providerId, CancellationToken cancellationToken)
    {
        var instanceId = InstanceId(providerId);
        try
        {
            var response = await AwsPipelines.RunAsync(_pipelines.Idempotent("EC2"), "EC2", "DescribeInstances",
                ct => _ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = [instanceId] }, ct), cancellationToken);
            var found = response.Reservations?.SelectMany(r => r.Instances ?? []).FirstOrDefault(i => i.InstanceId == instanceId);
            if (found is null || found.State?.Name?.Value == "terminated")
            {
                return null;
            }

            return Ec2Instances.ToCloudInstance(found, _time);
        }
        catch (CloudProviderException ex) when (ex.Code == NotFoundCode)
        {
            return null;
        }
    }

    /// <summary>Every instance with this cluster's ownership tag and a provisioner tag that is not terminated, over every page.</summary>
    public async Task<IReadOnlyList<CloudInstance>> ListAsync(CancellationToken cancellationToken)
    {
        var instances = new List<CloudInstance>();
        string? nextToken = null;
        do
        {
            var request = new DescribeInstancesRequest
            {
                Filters =
                [
                    new Filter("tag-key", [InstanceTags.Cluster(_options.ClusterName)]),
                    new Filter("tag-key", [InstanceTags.ProvisionerName]),
                    new Filter("instance-state-name", [.. LiveStates]),
                ],
                MaxResults = PageSize,
                NextToken = nextToken,
            };
            var response = await AwsPipelines.RunAsync(_pipelines.Idempotent("EC2"), "EC2", "DescribeInstances",
                ct => _ec2.DescribeInstancesAsync(request, ct), cancellationToken);
            foreach (var instance in response.Reservations?.SelectMany(r => r.Instances ?? []) ?? [])
            {
                instances.Add(Ec2Instances.ToCloudInstance(instance, _time));
            }

            nextToken = string.IsNullOrEmpty(response.NextToken) ? null : response.NextToken;
        }
        while (nextToken is not null);

        return instances;
    }

    private static string InstanceId(string providerId) =>
        ProviderIds.TryParse(providerId, out var id)
            ? id
            : throw new CloudProviderException("DescribeInstances", "InvalidProviderId",
                $"'{providerId}' is not an AWS providerID (aws:///<zone>/<instance-id>)", false);
}
