using Amazon.EC2;
using Amazon.EC2.Model;
using Capstan.Aws.Clients;
using Capstan.Aws.Discovery;
using Capstan.Aws.Instances;
using Capstan.Aws.Offerings;
using Capstan.Core.Cloud;
using Capstan.Core.Scheduling;
using Microsoft.Extensions.Logging;

namespace Capstan.Aws.Launch;

/// <summary>
/// Launches one node claim with one instant CreateFleet call (as Karpenter's AWS provider launches): overrides from the claim's
/// ranked options, grouped by launch template; a ClientToken derived from the claim so a retry or a restart never
/// launches twice; capacity errors mark their offerings unavailable; the private DNS name is read back with
/// DescribeInstances.
/// </summary>
public sealed class FleetLauncher
{
    public const string IdempotentParameterMismatch = "IdempotentParameterMismatch";

    private readonly IAmazonEC2 _ec2;
    private readonly AwsPipelines _pipelines;
    private readonly AwsOptions _options;
    private readonly UnavailableOfferings _unavailable;
    private readonly TimeProvider _time;
    private readonly ILogger<FleetLauncher> _logger;

    public FleetLauncher(IAmazonEC2 ec2, AwsPipelines pipelines, AwsOptions options, UnavailableOfferings unavailable, TimeProvider time, ILogger<FleetLauncher> logger)
    {
        _ec2 = ec2;
        _pipelines = pipelines;
        _options = options;
        _unavailable = unavailable;
        _time = time;
        _logger = logger;
        LaunchTemplates = new LaunchTemplateStore(ec2, pipelines, options, logger);
    }

    public FleetLauncher(AwsClientFactory clients, AwsPipelines pipelines, AwsOptions options, UnavailableOfferings unavailable, TimeProvider time, ILogger<FleetLauncher> logger)
        : this((clients ?? throw new ArgumentNullException(nameof(clients))).CreateEc2(), pipelines, options, unavailable, time, logger)
    {
    }

    /// <summary>The launch templates this launcher made or found.</summary>
    public LaunchTemplateStore LaunchTemplates { get; }

    /// <summary>How many times DescribeInstances is asked for the new instance's private DNS name.</summary>
    public int DescribeAttempts { get; init; } = 5;

    /// <summary>The wait between those looks.</summary>
    public TimeSpan DescribeInterval { get; init; } = TimeSpan.FromSeconds(1);

    public async Task<LaunchResult> LaunchAsync(LaunchRequest request, ResolvedTemplate template, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(template);
        var plan = FleetPlanner.Plan(request, template, _unavailable);
        if (plan.Overrides.Count == 0)
        {
            _logger.LaunchNoOffering(request.ClaimName, plan.CapacityType);
            return LaunchResult.InsufficientCapacity(plan.Excluded);
        }

        CreateFleetResponse response;
        var (fleet, templateNames) = await BuildAsync(request, template, plan, cancellationToken);
        try
        {
            response = await CreateFleetAsync(fleet, cancellationToken);
        }
        catch (CloudProviderException ex) when (ex.Code is LaunchTemplateStore.NotFoundCode or "InvalidLaunchTemplateId.NotFound")
        {
            // Someone deleted a template Capstan remembered: make it again, once.
            foreach (var name in templateNames)
            {
                _logger.LaunchTemplateGone(name);
                LaunchTemplates.Forget(name);
            }

            (fleet, _) = await BuildAsync(request, template, plan, cancellationToken);
            response = await CreateFleetAsync(fleet, cancellationToken);
        }
        catch (CloudProviderException ex) when (ex.Code == IdempotentParameterMismatch)
        {
            // The token was used before with other overrides (a restart re-planned the claim): that launch stands.
            var earlier = await FindByClaimAsync(request.ClaimName, cancellationToken);
            if (earlier is null)
            {
                throw;
            }

            _logger.LaunchAlreadyLaunched(request.ClaimName, earlier.InstanceId);
            return LaunchResult.Success(earlier);
        }

        return await ReadAsync(request, plan, response, cancellationToken);
    }

    /// <summary>The CreateFleet call for a plan, with its launch templates made or found (the names are those it uses).</summary>
    public async Task<(CreateFleetRequest Request, IReadOnlyList<string> TemplateNames)> BuildAsync(
        LaunchRequest request, ResolvedTemplate template, FleetPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(plan);
        var configs = new List<FleetLaunchTemplateConfigRequest>();
        var names = new List<string>();
        if (!string.IsNullOrEmpty(template.Template.LaunchTemplateName))
        {
            configs.Add(Config(template.Template.LaunchTemplateName, plan.Overrides));
        }
        else
        {
            foreach (var group in plan.Overrides.GroupBy(o => (o.AmiKey, o.MaxPods)))
            {
                var ami = template.Amis.GetValueOrDefault(group.Key.AmiKey)
                    ?? template.Amis.GetValueOrDefault(group.Key.AmiKey.Split('-')[0]);
                if (ami is null)
                {
                    continue;
                }

                var name = await LaunchTemplates.EnsureAsync(TemplatePlan(request, template, ami, group.Key.MaxPods), cancellationToken);
                names.Add(name);
                configs.Add(Config(name, [.. group]));
            }

            if (configs.Count == 0)
            {
                var arches = string.Join(", ", plan.Overrides.Select(o => o.AmiKey).Distinct(StringComparer.Ordinal));
                throw new CloudProviderException("CreateFleet", "NoImage",
                    $"the node template resolved no AMI for {arches}, so node claim {request.ClaimName} cannot be launched; check its amiSelector or AMI family", false);
            }
        }

        var tags = InstanceTags.For(_options.ClusterName, request.ProvisionerName, template.Template.Tags, request.ClaimName)
            .OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => new Tag(t.Key, t.Value)).ToList();
        var fleet = new CreateFleetRequest
        {
            Type = FleetType.Instant,
            ClientToken = ClientTokens.ForClaim(_options.ClusterName, request.ClaimName),
            Context = template.Template.Context,
            TargetCapacitySpecification = new TargetCapacitySpecificationRequest
            {
                TotalTargetCapacity = 1,
                DefaultTargetCapacityType = plan.CapacityType == Labels.CapacityTypeSpot ? DefaultTargetCapacityType.Spot : DefaultTargetCapacityType.OnDemand,
            },
            LaunchTemplateConfigs = configs,
            TagSpecifications =
            [
                new TagSpecification { ResourceType = ResourceType.Instance, Tags = tags },
                new TagSpecification { ResourceType = ResourceType.Volume, Tags = tags },
                new TagSpecification { ResourceType = ResourceType.Fleet, Tags = tags },
            ],
        };
        if (plan.CapacityType == Labels.CapacityTypeSpot)
        {
            fleet.SpotOptions = new SpotOptionsRequest { AllocationStrategy = SpotAllocationStrategy.PriceCapacityOptimized };
        }
        else
        {
            fleet.OnDemandOptions = new OnDemandOptionsRequest { AllocationStrategy = FleetOnDemandAllocationStrategy.LowestPrice };
        }

        return (fleet, names);
    }

    /// <summary>What Capstan's launch template for this claim holds: AMI, groups, profile, bootstrap, IMDS, volumes, tags.</summary>
    public LaunchTemplatePlan TemplatePlan(LaunchRequest request, ResolvedTemplate template, string imageId, int maxPods)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(template);
        var labels = new Dictionary<string, string>(request.Labels, StringComparer.Ordinal)
        {
            [Labels.ProvisionerName] = request.ProvisionerName,
        };
        var inputs = new BootstrapInputs
        {
            ClusterName = _options.ClusterName,
            ClusterEndpoint = _options.ClusterEndpoint,
            CaBundle = _options.ClusterCaBundle,
            Labels = labels,
            Taints = [.. request.Taints, .. request.StartupTaints.Where(s => !request.Taints.Contains(s))],
            Kubelet = request.Kubelet,
            MaxPods = maxPods,
            CustomUserData = template.Template.UserData,
        };
        var nodeTemplate = template.Template;
        return new LaunchTemplatePlan
        {
            ImageId = imageId,
            SecurityGroupIds = template.SecurityGroupIds,
            InstanceProfile = template.InstanceProfile,
            UserData = UserDataBuilder.Build(template.AmiFamily, inputs),
            MetadataOptions = LaunchTemplatePlan.ResolveMetadata(nodeTemplate.MetadataOptions),
            BlockDevices = nodeTemplate.BlockDeviceMappings.Count > 0 ? nodeTemplate.BlockDeviceMappings : AmiFamilies.DefaultBlockDevices(template.AmiFamily),
            DetailedMonitoring = nodeTemplate.DetailedMonitoring,
            Tags = InstanceTags.For(_options.ClusterName, request.ProvisionerName, nodeTemplate.Tags, claimName: null),
        };
    }

    private static FleetLaunchTemplateConfigRequest Config(string templateName, IReadOnlyList<FleetOverride> overrides) => new()
    {
        LaunchTemplateSpecification = new FleetLaunchTemplateSpecificationRequest { LaunchTemplateName = templateName, Version = "$Latest" },
        Overrides = [.. overrides.Select(o => new FleetLaunchTemplateOverridesRequest
        {
            InstanceType = InstanceType.FindValue(o.InstanceType),
            SubnetId = o.SubnetId,
            AvailabilityZone = o.Zone,
        })],
    };

    private Task<CreateFleetResponse> CreateFleetAsync(CreateFleetRequest fleet, CancellationToken cancellationToken) =>
        // Retried like a read: every attempt carries the same ClientToken, so EC2 launches at most once.
        AwsPipelines.RunAsync(_pipelines.Idempotent("EC2"), "EC2", "CreateFleet", ct => _ec2.CreateFleetAsync(fleet, ct), cancellationToken);

    private async Task<LaunchResult> ReadAsync(LaunchRequest request, FleetPlan plan, CreateFleetResponse response, CancellationToken cancellationToken)
    {
        var zoneOfSubnet = plan.Overrides.GroupBy(o => o.SubnetId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Zone, StringComparer.Ordinal);
        var failures = new List<OfferingFailure>();
        var otherErrors = new List<CreateFleetError>();
        foreach (var error in response.Errors ?? [])
        {
            var overrides = error.LaunchTemplateAndOverrides?.Overrides;
            var type = overrides?.InstanceType?.Value ?? "";
            var zone = overrides?.AvailabilityZone ?? (overrides?.SubnetId is { } subnet ? zoneOfSubnet.GetValueOrDefault(subnet) : null) ?? "";
            var capacityType = error.Lifecycle?.Value ?? plan.CapacityType;
            failures.Add(new OfferingFailure(type, zone, capacityType, error.ErrorCode ?? "", error.ErrorMessage ?? ""));
            if (CapacityErrors.IsUnfulfillable(error.ErrorCode) && type.Length > 0 && zone.Length > 0)
            {
                _unavailable.MarkUnavailable(capacityType, type, zone, error.ErrorCode!);
                _logger.LaunchOfferingUnavailable(capacityType, type, zone, error.ErrorCode!);
            }
            else if (!CapacityErrors.IsUnfulfillable(error.ErrorCode))
            {
                otherErrors.Add(error);
            }
        }

        var launched = (response.Instances ?? []).FirstOrDefault(i => i.InstanceIds is { Count: > 0 });
        if (launched is null)
        {
            if (otherErrors.Count > 0)
            {
                var first = otherErrors[0];
                throw new CloudProviderException("CreateFleet", first.ErrorCode ?? "",
                    $"EC2 launched no instance for node claim {request.ClaimName}: {first.ErrorCode}: {first.ErrorMessage}", false);
            }

            if (failures.Count == 0)
            {
                throw new CloudProviderException("CreateFleet", "NoInstance",
                    $"EC2 answered CreateFleet for node claim {request.ClaimName} with neither an instance nor an error", true);
            }

            _logger.LaunchInsufficientCapacity(request.ClaimName, failures.Count, plan.CapacityType);
            return LaunchResult.InsufficientCapacity(failures);
        }

        var instanceId = launched.InstanceIds[0];
        var launchedOverrides = launched.LaunchTemplateAndOverrides?.Overrides;
        var instanceType = launched.InstanceType?.Value ?? launchedOverrides?.InstanceType?.Value ?? "";
        var launchedZone = launched.AvailabilityZone ?? launchedOverrides?.AvailabilityZone
            ?? (launchedOverrides?.SubnetId is { } sid ? zoneOfSubnet.GetValueOrDefault(sid) : null) ?? "";
        var fromFleet = new CloudInstance
        {
            InstanceId = instanceId,
            ProviderId = ProviderIds.For(launchedZone, instanceId),
            InstanceType = instanceType,
            Zone = launchedZone,
            CapacityType = launched.Lifecycle?.Value == "spot" ? Labels.CapacityTypeSpot : Labels.CapacityTypeOnDemand,
            LaunchTime = _time.GetUtcNow(),
            State = "pending",
            ClaimName = request.ClaimName,
            ProvisionerName = request.ProvisionerName,
        };
        var instance = await DescribeLaunchedAsync(fromFleet, cancellationToken);
        _logger.LaunchLaunched(instance.InstanceId, instance.PrivateDnsName ?? "", instance.InstanceType, instance.Zone, instance.CapacityType);
        return LaunchResult.Success(instance, failures);
    }

    /// <summary>The instance as DescribeInstances sees it, waiting briefly for EC2 to know it and name it.</summary>
    private async Task<CloudInstance> DescribeLaunchedAsync(CloudInstance fromFleet, CancellationToken cancellationToken)
    {
        CloudInstance? described = null;
        for (var attempt = 1; attempt <= DescribeAttempts; attempt++)
        {
            if (attempt > 1)
            {
                await Task.Delay(DescribeInterval, _time, cancellationToken);
            }

            try
            {
                var response = await AwsPipelines.RunAsync(_pipelines.Idempotent("EC2"), "EC2", "DescribeInstances",
                    ct => _ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = [fromFleet.InstanceId] }, ct), cancellationToken);
                var found = response.Reservations?.SelectMany(r => r.Instances ?? []).FirstOrDefault(i => i.InstanceId == fromFleet.InstanceId);
                if (found is not null)
                {
                    described = Ec2Instances.ToCloudInstance(found, _time);
                    if (described.PrivateDnsName is not null)
                    {
                        return Complete(described, fromFleet);
                    }
                }
            }
            catch (CloudProviderException ex) when (ex.Code == InstanceRepository.NotFoundCode)
            {
                // EC2 is eventually consistent: a fresh instance may be unknown to DescribeInstances for a moment.
            }

            _logger.LaunchInstanceNotVisibleYet(fromFleet.InstanceId, attempt);
        }

        _logger.LaunchDnsNameMissing(fromFleet.InstanceId, DescribeAttempts);
        return described is null ? fromFleet : Complete(described, fromFleet);
    }

    private static CloudInstance Complete(CloudInstance described, CloudInstance fromFleet) => described with
    {
        Zone = described.Zone.Length > 0 ? described.Zone : fromFleet.Zone,
        ProviderId = described.Zone.Length > 0 ? described.ProviderId : fromFleet.ProviderId,
        ClaimName = described.ClaimName ?? fromFleet.ClaimName,
        ProvisionerName = described.ProvisionerName ?? fromFleet.ProvisionerName,
    };

    private async Task<CloudInstance?> FindByClaimAsync(string claimName, CancellationToken cancellationToken)
    {
        var response = await AwsPipelines.RunAsync(_pipelines.Idempotent("EC2"), "EC2", "DescribeInstances",
            ct => _ec2.DescribeInstancesAsync(new DescribeInstancesRequest
            {
                Filters =
                [
                    new Filter("tag:" + InstanceTags.NodeClaim, [claimName]),
                    new Filter("tag-key", [InstanceTags.Cluster(_options.ClusterName)]),
                    new Filter("instance-state-name", [.. InstanceRepository.LiveStates]),
                ],
            }, ct), cancellationToken);
        var found = response.Reservations?.SelectMany(r => r.Instances ?? []).FirstOrDefault();
        return found is null ? null : Ec2Instances.ToCloudInstance(found, _time);
    }
}
