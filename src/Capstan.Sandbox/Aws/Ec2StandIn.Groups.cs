using Capstan.Core.InstanceTypes;

namespace Capstan.Sandbox.Aws;

/// <summary>
/// What EC2 does for Auto Scaling: launch template versions (<c>DescribeLaunchTemplateVersions</c>, which Cluster
/// Autoscaler-style discovery reads to learn a group's instance type), templates the world creates for its groups, and
/// the launches and terminations the Auto Scaling stand-in asks for, through the same instances, capacity errors and
/// boot latency as a fleet's.
/// </summary>
public sealed partial class Ec2StandIn
{
    /// <summary>Creates a launch template as <c>CreateLaunchTemplate</c> would, from <c>LaunchTemplateData.*</c> members without that prefix.</summary>
    public StandInLaunchTemplate AddLaunchTemplate(string name, IReadOnlyDictionary<string, string> data, IReadOnlyDictionary<string, string>? tags = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(data);
        lock (_gate)
        {
            var template = new StandInLaunchTemplate
            {
                Id = "lt-" + Hex(17),
                Name = name,
                CreateTime = Time.GetUtcNow(),
                Tags = Copy(tags),
                Data = new Dictionary<string, string>(data, StringComparer.Ordinal),
            };
            _launchTemplates[name] = template;
            return template;
        }
    }

    /// <summary>A launch template by id, or null.</summary>
    public StandInLaunchTemplate? LaunchTemplateById(string launchTemplateId)
    {
        lock (_gate)
        {
            return _launchTemplates.Values.FirstOrDefault(t => t.Id == launchTemplateId);
        }
    }

    /// <summary>The catalog entry EC2 describes for an instance type, or null when EC2 does not offer it.</summary>
    public InstanceTypeSpec? InstanceTypeOf(string instanceType)
    {
        lock (_gate)
        {
            return _instanceTypes.GetValueOrDefault(instanceType);
        }
    }

    /// <summary>
    /// Launches one instance for an Auto Scaling group from its launch template, in one subnet, or says in EC2's words
    /// why not (the offering has no capacity, or the type is not offered in the zone).
    /// </summary>
    public GroupLaunchResult LaunchForGroup(string launchTemplateId, string instanceType, string subnetId, string capacityType, IReadOnlyDictionary<string, string> tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        lock (_gate)
        {
            var template = _launchTemplates.Values.FirstOrDefault(t => t.Id == launchTemplateId);
            if (template is null)
            {
                return GroupLaunchResult.Refused("InvalidLaunchTemplateId.NotFound", $"The specified launch template, with template ID {launchTemplateId}, does not exist.");
            }

            var zone = _subnets.FirstOrDefault(s => s.SubnetId == subnetId)?.Zone;
            if (zone is null)
            {
                return GroupLaunchResult.Refused("InvalidSubnetID.NotFound", $"The subnet ID '{subnetId}' does not exist");
            }

            if (!_offerings.TryGetValue(instanceType, out var zones) || !zones.Contains(zone))
            {
                return GroupLaunchResult.Refused("Unsupported",
                    $"Your requested instance type ({instanceType}) is not supported in your requested Availability Zone ({zone}). Please retry your request by not specifying an Availability Zone or choosing another one.");
            }

            if (_noCapacity.Contains((instanceType, zone, capacityType)))
            {
                return GroupLaunchResult.Refused("InsufficientInstanceCapacity",
                    $"We currently do not have sufficient {instanceType} capacity in the Availability Zone you requested ({zone}). Our system will be working on provisioning additional capacity. You can currently get {instanceType} capacity by not specifying an Availability Zone in your request or choosing other Availability Zones.");
            }

            var data = template.Data;
            var instanceTags = new Dictionary<string, string>(TagsOfData(data, "instance"), StringComparer.Ordinal);
            foreach (var (key, value) in tags)
            {
                instanceTags[key] = value;
            }

            instanceTags["aws:ec2launchtemplate:id"] = template.Id;
            instanceTags["aws:ec2launchtemplate:version"] = "1";
            var metadata = data.Where(d => d.Key.StartsWith("MetadataOptions.", StringComparison.Ordinal))
                .ToDictionary(d => d.Key["MetadataOptions.".Length..], d => d.Value, StringComparer.Ordinal);
            var instance = NewInstance(instanceType, zone, subnetId, capacityType, template.ImageId, null, template.Id,
                data.GetValueOrDefault("IamInstanceProfile.Name"), instanceTags, metadata);
            _instances[instance.InstanceId] = instance;
            if (DescribeNotFoundAfterLaunch > 0)
            {
                _hiddenDescribes[instance.InstanceId] = DescribeNotFoundAfterLaunch;
            }

            return new GroupLaunchResult(instance, null, null);
        }
    }

    /// <summary>Terminates an instance as <c>TerminateInstances</c> does (shutting-down, then terminated); false when unknown or already going.</summary>
    public bool Terminate(string instanceId)
    {
        lock (_gate)
        {
            if (!_instances.TryGetValue(instanceId, out var instance) || instance.TerminationRequestedAt is not null)
            {
                return false;
            }

            var now = Time.GetUtcNow();
            instance.TerminationRequestedAt = now;
            instance.TerminatedAt = now + ShutdownDelay;
            return true;
        }
    }

    /// <summary>One instance by id, or null (forgotten or never launched).</summary>
    public StandInInstance? InstanceById(string instanceId)
    {
        lock (_gate)
        {
            return _instances.GetValueOrDefault(instanceId);
        }
    }

    partial void RegisterGroupActions()
    {
        On("DescribeLaunchTemplateVersions", DescribeLaunchTemplateVersions);
    }

    private AwsReply DescribeLaunchTemplateVersions(AwsCall call)
    {
        StandInLaunchTemplate? template = null;
        if (call.Get("LaunchTemplateId") is { } id)
        {
            template = _launchTemplates.Values.FirstOrDefault(t => t.Id == id);
            if (template is null)
            {
                return BadRequest("InvalidLaunchTemplateId.NotFound", $"The specified launch template, with template ID {id}, does not exist.");
            }
        }
        else if (call.Get("LaunchTemplateName") is { } name)
        {
            if (!_launchTemplates.TryGetValue(name, out template))
            {
                return BadRequest("InvalidLaunchTemplateName.NotFoundException", "At least one of the launch templates specified in the request does not exist.");
            }
        }

        var versions = call.List("LaunchTemplateVersion");
        if (template is null)
        {
            // Without a template, EC2 takes only $Latest/$Default across every template.
            if (versions.Any(v => v is not ("$Latest" or "$Default")))
            {
                return BadRequest("InvalidParameterCombination", "You must specify a launch template ID or name when specifying version numbers.");
            }
        }
        else if (versions.FirstOrDefault(v => v is not ("$Latest" or "$Default" or "1")) is { } missing)
        {
            return BadRequest("InvalidLaunchTemplateId.VersionNotFound", $"Could not find launch template version {missing} for launch template {template.Id}.");
        }

        var chosen = template is null ? [.. _launchTemplates.Values] : new List<StandInLaunchTemplate> { template };
        return Ec2Xml.Response("DescribeLaunchTemplateVersions", x => x.List("launchTemplateVersionSet", chosen, (v, t) => v
            .Value("launchTemplateId", t.Id)
            .Value("launchTemplateName", t.Name)
            .Value("versionNumber", 1L)
            .Value("createTime", t.CreateTime)
            .Value("createdBy", $"arn:aws:iam::{AccountId}:root")
            .Value("defaultVersion", true)
            .Struct("launchTemplateData", d => WriteLaunchTemplateData(d, t.Data))));
    }

    /// <summary><c>launchTemplateData</c> from the request members the template was created with.</summary>
    private static void WriteLaunchTemplateData(Ec2Xml x, IReadOnlyDictionary<string, string> data)
    {
        if (data.TryGetValue("IamInstanceProfile.Name", out var profile) || data.ContainsKey("IamInstanceProfile.Arn"))
        {
            x.Struct("iamInstanceProfile", p => p.Value("arn", data.GetValueOrDefault("IamInstanceProfile.Arn")).Value("name", profile));
        }

        x.Value("imageId", data.GetValueOrDefault("ImageId"))
            .Value("instanceType", data.GetValueOrDefault("InstanceType"))
            .Value("userData", data.GetValueOrDefault("UserData"));
        var specs = new List<(string ResourceType, Dictionary<string, string> Tags)>();
        for (var n = 1; data.TryGetValue($"TagSpecification.{n}.ResourceType", out var resourceType); n++)
        {
            specs.Add((resourceType, TagsOfData(data, resourceType)));
        }

        if (specs.Count > 0)
        {
            x.List("tagSpecificationSet", specs.DistinctBy(s => s.ResourceType), (s, spec) => s.Value("resourceType", spec.ResourceType).Tags(spec.Tags));
        }

        var groups = new List<string>();
        for (var i = 1; data.TryGetValue($"SecurityGroupId.{i}", out var group); i++)
        {
            groups.Add(group);
        }

        if (groups.Count > 0)
        {
            x.Values("securityGroupIdSet", groups);
        }

        if (data.Keys.Any(k => k.StartsWith("MetadataOptions.", StringComparison.Ordinal)))
        {
            x.Struct("metadataOptions", m => m
                .Value("state", "applied")
                .Value("httpTokens", data.GetValueOrDefault("MetadataOptions.HttpTokens"))
                .Value("httpPutResponseHopLimit", data.GetValueOrDefault("MetadataOptions.HttpPutResponseHopLimit"))
                .Value("httpEndpoint", data.GetValueOrDefault("MetadataOptions.HttpEndpoint")));
        }
    }
}

/// <summary>What EC2 said to one launch the Auto Scaling stand-in asked for: the instance, or EC2's error code and message.</summary>
public sealed record GroupLaunchResult(StandInInstance? Instance, string? ErrorCode, string? ErrorMessage)
{
    public static GroupLaunchResult Refused(string code, string message) => new(null, code, message);
}
