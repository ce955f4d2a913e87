using System.Collections.Concurrent;
using Amazon.EC2;
using Amazon.EC2.Model;
using Capstan.Aws.Clients;
using Capstan.Core.Cloud;
using Microsoft.Extensions.Logging;

namespace Capstan.Aws.Launch;

/// <summary>
/// Capstan's launch templates: found by name (DescribeLaunchTemplates) or created once (CreateLaunchTemplate), then
/// remembered. When EC2 says the name is already taken (another replica, or a restart between the look-up and the
/// create), the existing template is used: its name is the hash of its content, so it holds what this one would.
/// </summary>
public sealed class LaunchTemplateStore(IAmazonEC2 ec2, AwsPipelines pipelines, AwsOptions options, ILogger logger)
{
    public const string NotFoundCode = "InvalidLaunchTemplateName.NotFoundException";
    public const string AlreadyExistsCode = "InvalidLaunchTemplateName.AlreadyExistsException";

    private readonly ConcurrentDictionary<string, string> _known = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _pending = new(StringComparer.Ordinal);

    /// <summary>The templates known to exist, name -> id.</summary>
    public IReadOnlyDictionary<string, string> Known => _known;

    /// <summary>Forgets a template (someone deleted it), so the next launch looks it up or creates it again.</summary>
    public void Forget(string name) => _known.TryRemove(name, out _);

    /// <summary>The name of the template for the plan, created if EC2 has none by that name.</summary>
    public async Task<string> EnsureAsync(LaunchTemplatePlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var name = plan.Name(options.ClusterName);
        if (_known.ContainsKey(name))
        {
            return name;
        }

        // Concurrent launches wanting the same template share one look-up and one create; a caller that gives up
        // stops waiting, while the shared work finishes for the others.
        var pending = _pending.GetOrAdd(name, n => new Lazy<Task<string>>(() => FindOrCreateAsync(plan, n)));
        try
        {
            _known[name] = await pending.Value.WaitAsync(cancellationToken);
            return name;
        }
        finally
        {
            if (pending.Value.IsCompleted)
            {
                _pending.TryRemove(new KeyValuePair<string, Lazy<Task<string>>>(name, pending));
            }
        }
    }

    private async Task<string> FindOrCreateAsync(LaunchTemplatePlan plan, string name) =>
        await FindAsync(name, CancellationToken.None) ?? await CreateAsync(plan, name, CancellationToken.None);

    private async Task<string?> FindAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            var response = await AwsPipelines.RunAsync(pipelines.Idempotent("EC2"), "EC2", "DescribeLaunchTemplates",
                ct => ec2.DescribeLaunchTemplatesAsync(new DescribeLaunchTemplatesRequest { LaunchTemplateNames = [name] }, ct), cancellationToken);
            return response.LaunchTemplates?.FirstOrDefault(t => t.LaunchTemplateName == name)?.LaunchTemplateId;
        }
        catch (CloudProviderException ex) when (ex.Code == NotFoundCode)
        {
            return null;
        }
    }

    private async Task<string> CreateAsync(LaunchTemplatePlan plan, string name, CancellationToken cancellationToken)
    {
        try
        {
            // Retrying is safe: a second create of the same name answers AlreadyExists, handled below.
            var response = await AwsPipelines.RunAsync(pipelines.Idempotent("EC2"), "EC2", "CreateLaunchTemplate",
                ct => ec2.CreateLaunchTemplateAsync(Request(plan, name), ct), cancellationToken);
            var id = response.LaunchTemplate?.LaunchTemplateId ?? "";
            logger.LaunchTemplateCreated(name, id);
            return id;
        }
        catch (CloudProviderException ex) when (ex.Code == AlreadyExistsCode)
        {
            logger.LaunchTemplateAlreadyExists(name);
            return await FindAsync(name, cancellationToken)
                ?? throw new CloudProviderException("CreateLaunchTemplate", NotFoundCode,
                    $"EC2 says the launch template {name} exists but does not find it; the launch will be tried again", true, ex);
        }
    }

    /// <summary>The CreateLaunchTemplate call for a plan.</summary>
    public static CreateLaunchTemplateRequest Request(LaunchTemplatePlan plan, string name)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var tags = plan.Tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => new Tag(t.Key, t.Value)).ToList();
        var data = new RequestLaunchTemplateData
        {
            ImageId = plan.ImageId,
            SecurityGroupIds = [.. plan.SecurityGroupIds],
            UserData = plan.UserDataBase64,
            MetadataOptions = new LaunchTemplateInstanceMetadataOptionsRequest
            {
                HttpEndpoint = plan.MetadataOptions.HttpEndpoint is { } endpoint ? new LaunchTemplateInstanceMetadataEndpointState(endpoint) : null,
                HttpProtocolIpv6 = plan.MetadataOptions.HttpProtocolIPv6 is { } ipv6 ? new LaunchTemplateInstanceMetadataProtocolIpv6(ipv6) : null,
                HttpPutResponseHopLimit = plan.MetadataOptions.HttpPutResponseHopLimit,
                HttpTokens = plan.MetadataOptions.HttpTokens is { } tokens ? new LaunchTemplateHttpTokensState(tokens) : null,
            },
            Monitoring = new LaunchTemplatesMonitoringRequest { Enabled = plan.DetailedMonitoring },
            TagSpecifications =
            [
                new LaunchTemplateTagSpecificationRequest { ResourceType = ResourceType.Instance, Tags = tags },
                new LaunchTemplateTagSpecificationRequest { ResourceType = ResourceType.Volume, Tags = tags },
            ],
        };
        if (plan.InstanceProfile is not null)
        {
            data.IamInstanceProfile = new LaunchTemplateIamInstanceProfileSpecificationRequest { Name = plan.InstanceProfile };
        }

        if (plan.BlockDevices.Count > 0)
        {
            data.BlockDeviceMappings = [.. plan.BlockDevices.Select(Device)];
        }

        return new CreateLaunchTemplateRequest
        {
            LaunchTemplateName = name,
            // Derived from the content, like the name: a retried create is answered with the first one's result.
            ClientToken = "capstan-lt-" + plan.Hash(),
            LaunchTemplateData = data,
            TagSpecifications = [new TagSpecification { ResourceType = ResourceType.LaunchTemplate, Tags = tags }],
        };
    }

    private static LaunchTemplateBlockDeviceMappingRequest Device(Core.Cloud.BlockDeviceMapping device) => new()
    {
        DeviceName = device.DeviceName,
        Ebs = new LaunchTemplateEbsBlockDeviceRequest
        {
            // EBS sizes are whole GiB: a size that is not is rounded up so the volume is never smaller than asked.
            VolumeSize = device.VolumeSizeBytes is { } bytes ? (int)((bytes + (1L << 30) - 1) >> 30) : null,
            VolumeType = device.VolumeType is { } type ? new VolumeType(type) : null,
            Iops = device.Iops,
            Throughput = device.Throughput,
            Encrypted = device.Encrypted,
            DeleteOnTermination = device.DeleteOnTermination,
            KmsKeyId = device.KmsKeyId,
            SnapshotId = device.SnapshotId,
        },
    };
}
