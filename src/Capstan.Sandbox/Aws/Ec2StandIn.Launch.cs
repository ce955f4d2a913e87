using System.Globalization;
using System.Text.RegularExpressions;

namespace Capstan.Sandbox.Aws;

/// <summary>
/// The launch side of the EC2 stand-in: launch templates, instant fleets and instances, with EC2's error codes,
/// idempotency on ClientToken, filters and pagination.
/// </summary>
public sealed partial class Ec2StandIn
{
    private readonly Dictionary<string, StandInLaunchTemplate> _launchTemplates = new(StringComparer.Ordinal);
    private readonly Dictionary<string, StandInInstance> _instances = new(StringComparer.Ordinal);
    private readonly List<StandInFleet> _fleets = [];
    private readonly HashSet<(string Type, string Zone, string CapacityType)> _noCapacity = [];
    private readonly Dictionary<(string Type, string CapacityType), double> _launchPrices = [];
    private readonly Dictionary<string, int> _hiddenDescribes = new(StringComparer.Ordinal);
    private long _launchSerial;

    /// <summary>How long a new instance stays pending before it runs.</summary>
    public TimeSpan BootDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a terminated instance shuts down before it is terminated.</summary>
    public TimeSpan ShutdownDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long EC2 still describes a terminated instance before it is forgotten (about an hour on EC2).</summary>
    public TimeSpan TerminatedVisibleFor { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How many DescribeInstances calls by id a new instance is unknown to (answered InvalidInstanceID.NotFound), as
    /// EC2's eventual consistency does right after a launch.
    /// </summary>
    public int DescribeNotFoundAfterLaunch { get; set; }

    /// <summary>The launch templates by name.</summary>
    public IReadOnlyDictionary<string, StandInLaunchTemplate> LaunchTemplates
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<string, StandInLaunchTemplate>(_launchTemplates, StringComparer.Ordinal);
            }
        }
    }

    /// <summary>Every instance the world knows, in launch order (terminated ones too until they are forgotten).</summary>
    public IReadOnlyList<StandInInstance> Instances
    {
        get
        {
            lock (_gate)
            {
                return [.. _instances.Values];
            }
        }
    }

    /// <summary>Every fleet answered, in order (a repeat of a ClientToken adds none).</summary>
    public IReadOnlyList<StandInFleet> Fleets
    {
        get
        {
            lock (_gate)
            {
                return [.. _fleets];
            }
        }
    }

    /// <summary>Makes CreateFleet fail this offering with InsufficientInstanceCapacity.</summary>
    public void NoCapacity(string instanceType, string zone, string capacityType)
    {
        lock (_gate)
        {
            _noCapacity.Add((instanceType, zone, capacityType));
        }
    }

    /// <summary>Gives every offering its capacity back.</summary>
    public void RestoreCapacity()
    {
        lock (_gate)
        {
            _noCapacity.Clear();
        }
    }

    /// <summary>The hourly price CreateFleet orders lowest-price overrides by (unknown prices come after, in request order).</summary>
    public void SetLaunchPrice(string instanceType, string capacityType, double pricePerHour)
    {
        lock (_gate)
        {
            _launchPrices[(instanceType, capacityType)] = pricePerHour;
        }
    }

    /// <summary>Seeds an instance (as if launched earlier), e.g. for garbage-collection tests.</summary>
    public StandInInstance AddInstance(string instanceType, string zone, string subnetId, string lifecycle, IReadOnlyDictionary<string, string> tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        lock (_gate)
        {
            var instance = NewInstance(instanceType, zone, subnetId, lifecycle, null, null, null, null, new Dictionary<string, string>(tags, StringComparer.Ordinal), []);
            _instances[instance.InstanceId] = instance;
            return instance;
        }
    }

    /// <summary>Takes an instance back, as EC2 does at the end of a spot interruption notice: it shuts down and terminates.</summary>
    public bool Reclaim(string instanceId)
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

    /// <summary>Forgets an instance at once, as EC2 does an hour after it terminated.</summary>
    public void ForgetInstance(string instanceId)
    {
        lock (_gate)
        {
            _instances.Remove(instanceId);
        }
    }

    partial void RegisterLaunchActions()
    {
        On("CreateLaunchTemplate", CreateLaunchTemplate);
        On("DescribeLaunchTemplates", DescribeLaunchTemplates);
        On("DeleteLaunchTemplate", DeleteLaunchTemplate);
        On("CreateFleet", CreateFleet);
        On("DescribeInstances", DescribeInstances);
        On("TerminateInstances", TerminateInstances);
    }

    /// <summary>The read side may tell which zone a subnet is in, for overrides that name only the subnet.</summary>
    partial void FindSubnetZone(string subnetId, ref string? zone);

    [GeneratedRegex(@"^[a-zA-Z0-9\(\)\.\-/_]{3,128}$")]
    private static partial Regex LaunchTemplateNamePattern();

    [GeneratedRegex(@"^i-[0-9a-f]{8,17}$")]
    private static partial Regex InstanceIdPattern();


    private AwsReply CreateLaunchTemplate(AwsCall call)
    {
        var name = call.Get("LaunchTemplateName");
        if (string.IsNullOrEmpty(name) || !LaunchTemplateNamePattern().IsMatch(name))
        {
            return BadRequest("InvalidLaunchTemplateName.MalformedException", "A launch template name must be between 3 and 128 characters, and may contain letters, numbers, and the following characters: - ( ) . / _.'");
        }

        if (call.Get("LaunchTemplateData.ImageId") is null && call.Parameters.Keys.All(k => !k.StartsWith("LaunchTemplateData.", StringComparison.Ordinal)))
        {
            return BadRequest("MissingParameter", "The request must contain the parameter LaunchTemplateData");
        }

        if (_launchTemplates.ContainsKey(name))
        {
            return BadRequest("InvalidLaunchTemplateName.AlreadyExistsException", $"Launch template name already in use.");
        }

        const string prefix = "LaunchTemplateData.";
        var template = new StandInLaunchTemplate
        {
            Id = "lt-" + Hex(17),
            Name = name,
            CreateTime = Time.GetUtcNow(),
            Tags = TagsOf(call, "TagSpecification", "launch-template"),
            Data = call.Parameters.Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal))
                .ToDictionary(p => p.Key[prefix.Length..], p => p.Value, StringComparer.Ordinal),
        };
        _launchTemplates[name] = template;
        return Ec2Xml.Response("CreateLaunchTemplate", x => x.Struct("launchTemplate", t => WriteLaunchTemplate(t, template)));
    }

    private AwsReply DescribeLaunchTemplates(AwsCall call)
    {
        var names = call.List("LaunchTemplateName");
        var ids = call.List("LaunchTemplateId");
        var selected = new List<StandInLaunchTemplate>();
        foreach (var name in names)
        {
            if (!_launchTemplates.TryGetValue(name, out var template))
            {
                return BadRequest("InvalidLaunchTemplateName.NotFoundException", "At least one of the launch templates specified in the request does not exist.");
            }

            selected.Add(template);
        }

        foreach (var id in ids)
        {
            var template = _launchTemplates.Values.FirstOrDefault(t => t.Id == id);
            if (template is null)
            {
                return BadRequest("InvalidLaunchTemplateId.NotFound", $"The specified launch template, with template ID {id}, does not exist.");
            }

            selected.Add(template);
        }

        if (names.Count == 0 && ids.Count == 0)
        {
            selected.AddRange(_launchTemplates.Values);
        }

        foreach (var (filter, values) in call.Filters())
        {
            selected = filter switch
            {
                "launch-template-name" => [.. selected.Where(t => values.Contains(t.Name))],
                "tag-key" => [.. selected.Where(t => values.Any(t.Tags.ContainsKey))],
                _ when filter.StartsWith("tag:", StringComparison.Ordinal) =>
                    [.. selected.Where(t => t.Tags.TryGetValue(filter[4..], out var v) && values.Contains(v))],
                _ => selected,
            };
        }

        return Ec2Xml.Response("DescribeLaunchTemplates", x => x.List("launchTemplates", selected, WriteLaunchTemplate));
    }

    private AwsReply DeleteLaunchTemplate(AwsCall call)
    {
        StandInLaunchTemplate? template;
        if (call.Get("LaunchTemplateName") is { } name)
        {
            if (!_launchTemplates.TryGetValue(name, out template))
            {
                return BadRequest("InvalidLaunchTemplateName.NotFoundException", $"The specified launch template, with template name {name}, does not exist.");
            }
        }
        else if (call.Get("LaunchTemplateId") is { } id)
        {
            template = _launchTemplates.Values.FirstOrDefault(t => t.Id == id);
            if (template is null)
            {
                return BadRequest("InvalidLaunchTemplateId.NotFound", $"The specified launch template, with template ID {id}, does not exist.");
            }
        }
        else
        {
            return BadRequest("MissingParameter", "The request must contain the parameter LaunchTemplateName or LaunchTemplateId");
        }

        _launchTemplates.Remove(template.Name);
        return Ec2Xml.Response("DeleteLaunchTemplate", x => x.Struct("launchTemplate", t => WriteLaunchTemplate(t, template)));
    }

    private void WriteLaunchTemplate(Ec2Xml x, StandInLaunchTemplate template) => x
        .Value("launchTemplateId", template.Id)
        .Value("launchTemplateName", template.Name)
        .Value("createTime", template.CreateTime)
        .Value("createdBy", $"arn:aws:iam::{AccountId}:root")
        .Value("defaultVersionNumber", 1L)
        .Value("latestVersionNumber", 1L)
        .Tags(template.Tags);

    private AwsReply CreateFleet(AwsCall call)
    {
        var token = call.Get("ClientToken");
        var signature = call.Parameters.Where(p => p.Key is not "Action" and not "Version")
            .ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        if (token is not null && _fleets.FirstOrDefault(f => f.ClientToken == token) is { } earlier)
        {
            var same = earlier.Parameters.Count == signature.Count && earlier.Parameters.All(p => signature.TryGetValue(p.Key, out var v) && v == p.Value);
            return same
                ? AwsReply.Xml(earlier.ResponseBody)
                : BadRequest("IdempotentParameterMismatch", "The client token you have provided is associated with a resource that is already deleted or whose parameters do not match. Please use a different client token.");
        }

        if (call.Get("Type") != "instant")
        {
            return BadRequest("InvalidParameterValue", "The EC2 stand-in serves instant fleets only.");
        }

        if (!int.TryParse(call.Get("TargetCapacitySpecification.TotalTargetCapacity"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var target) || target < 1)
        {
            return BadRequest("InvalidTargetCapacitySpecification", "TotalTargetCapacity must be a positive number.");
        }

        var capacityType = call.Get("TargetCapacitySpecification.DefaultTargetCapacityType") ?? "on-demand";
        var strategy = capacityType == "spot" ? call.Get("SpotOptions.AllocationStrategy") ?? "lowest-price" : call.Get("OnDemandOptions.AllocationStrategy") ?? "lowest-price";
        var candidates = new List<(StandInLaunchTemplate Template, string Version, IReadOnlyDictionary<string, string> Override, int Order)>();
        foreach (var config in Structures(call, "LaunchTemplateConfigs"))
        {
            StandInLaunchTemplate? template = null;
            if (config.GetValueOrDefault("LaunchTemplateSpecification.LaunchTemplateName") is { } name)
            {
                if (!_launchTemplates.TryGetValue(name, out template))
                {
                    return BadRequest("InvalidLaunchTemplateName.NotFoundException", $"The specified launch template, with template name {name}, does not exist.");
                }
            }
            else if (config.GetValueOrDefault("LaunchTemplateSpecification.LaunchTemplateId") is { } id)
            {
                template = _launchTemplates.Values.FirstOrDefault(t => t.Id == id);
                if (template is null)
                {
                    return BadRequest("InvalidLaunchTemplateId.NotFound", $"The specified launch template, with template ID {id}, does not exist.");
                }
            }
            else
            {
                return BadRequest("MissingParameter", "A launch template configuration must name its launch template.");
            }

            var version = config.GetValueOrDefault("LaunchTemplateSpecification.Version") ?? "1";
            foreach (var over in Substructures(config, "Overrides"))
            {
                candidates.Add((template, version, over, candidates.Count));
            }
        }

        if (candidates.Count == 0)
        {
            return BadRequest("InvalidParameterValue", "At least one launch template configuration with an override is required.");
        }

        // The allocation strategy decides the order overrides are tried in.
        IEnumerable<(StandInLaunchTemplate Template, string Version, IReadOnlyDictionary<string, string> Override, int Order)> ordered = strategy switch
        {
            "prioritized" or "capacity-optimized-prioritized" => candidates
                .OrderBy(c => double.TryParse(c.Override.GetValueOrDefault("Priority"), NumberStyles.Float, CultureInfo.InvariantCulture, out var p) ? p : double.MaxValue)
                .ThenBy(c => c.Order),
            _ => candidates.OrderBy(c => _launchPrices.TryGetValue((c.Override.GetValueOrDefault("InstanceType") ?? "", capacityType), out var price) ? price : double.MaxValue)
                .ThenBy(c => c.Order),
        };

        var fleetId = "fleet-" + Guid.NewGuid().ToString();
        var fleetTags = TagsOf(call, "TagSpecification", "fleet");
        var instanceTags = TagsOf(call, "TagSpecification", "instance");
        var errors = new List<(StandInLaunchTemplate Template, string Version, IReadOnlyDictionary<string, string> Override, string Zone)>();
        var launched = new List<(StandInLaunchTemplate Template, string Version, IReadOnlyDictionary<string, string> Override, StandInInstance Instance)>();
        foreach (var candidate in ordered)
        {
            if (launched.Count == target)
            {
                break;
            }

            var type = candidate.Override.GetValueOrDefault("InstanceType") ?? "";
            var subnet = candidate.Override.GetValueOrDefault("SubnetId") ?? "";
            var zone = candidate.Override.GetValueOrDefault("AvailabilityZone");
            if (zone is null)
            {
                FindSubnetZone(subnet, ref zone);
            }

            zone ??= "";
            if (_noCapacity.Contains((type, zone, capacityType)))
            {
                errors.Add((candidate.Template, candidate.Version, candidate.Override, zone));
                continue;
            }

            var data = candidate.Template.Data;
            var tags = new Dictionary<string, string>(TagsOfData(data, "instance"), StringComparer.Ordinal);
            foreach (var (key, value) in instanceTags)
            {
                tags[key] = value;
            }

            tags["aws:ec2:fleet-id"] = fleetId;
            tags["aws:ec2launchtemplate:id"] = candidate.Template.Id;
            tags["aws:ec2launchtemplate:version"] = candidate.Version == "$Latest" || candidate.Version == "$Default" ? "1" : candidate.Version;
            var metadata = data.Where(d => d.Key.StartsWith("MetadataOptions.", StringComparison.Ordinal))
                .ToDictionary(d => d.Key["MetadataOptions.".Length..], d => d.Value, StringComparer.Ordinal);
            var instance = NewInstance(type, zone, subnet, capacityType, candidate.Override.GetValueOrDefault("ImageId") ?? candidate.Template.ImageId,
                token ?? fleetId, candidate.Template.Id, data.GetValueOrDefault("IamInstanceProfile.Name"), tags, metadata);
            _instances[instance.InstanceId] = instance;
            if (DescribeNotFoundAfterLaunch > 0)
            {
                _hiddenDescribes[instance.InstanceId] = DescribeNotFoundAfterLaunch;
            }

            launched.Add((candidate.Template, candidate.Version, candidate.Override, instance));
        }

        var reply = Ec2Xml.Response("CreateFleet", x =>
        {
            x.Value("fleetId", fleetId);
            x.List("errorSet", errors, (e, error) =>
            {
                var type = error.Override.GetValueOrDefault("InstanceType") ?? "";
                WriteLaunchTemplateAndOverrides(e, error.Template, error.Version, error.Override);
                e.Value("lifecycle", capacityType)
                    .Value("errorCode", "InsufficientInstanceCapacity")
                    .Value("errorMessage", $"We currently do not have sufficient {type} capacity in the Availability Zone you requested ({error.Zone}). Our system will be working on provisioning additional capacity. You can currently get {type} capacity by not specifying an Availability Zone in your request or choosing other Availability Zones.");
            });
            x.List("fleetInstanceSet", launched, (e, item) =>
            {
                WriteLaunchTemplateAndOverrides(e, item.Template, item.Version, item.Override);
                e.Value("lifecycle", capacityType)
                    .Values("instanceIds", [item.Instance.InstanceId])
                    .Value("instanceType", item.Instance.InstanceType);
            });
        });
        _fleets.Add(new StandInFleet
        {
            FleetId = fleetId,
            ClientToken = token,
            Parameters = signature,
            InstanceIds = [.. launched.Select(l => l.Instance.InstanceId)],
            ResponseBody = reply.Body,
            Tags = fleetTags,
        });
        return reply;
    }

    private static void WriteLaunchTemplateAndOverrides(Ec2Xml x, StandInLaunchTemplate template, string version, IReadOnlyDictionary<string, string> over) =>
        x.Struct("launchTemplateAndOverrides", lto => lto
            .Struct("launchTemplateSpecification", s => s.Value("launchTemplateId", template.Id).Value("version", version == "$Latest" || version == "$Default" ? "1" : version))
            .Struct("overrides", o => o
                .Value("instanceType", over.GetValueOrDefault("InstanceType"))
                .Value("subnetId", over.GetValueOrDefault("SubnetId"))
                .Value("availabilityZone", over.GetValueOrDefault("AvailabilityZone"))
                .Value("imageId", over.GetValueOrDefault("ImageId"))
                .Value("priority", over.GetValueOrDefault("Priority"))));

    private AwsReply DescribeInstances(AwsCall call)
    {
        var now = Time.GetUtcNow();
        ExpireTerminated(now);
        var ids = call.List("InstanceId");
        var maxResultsText = call.Get("MaxResults");
        if (ids.Count > 0 && maxResultsText is not null)
        {
            return BadRequest("InvalidParameterCombination", "The parameter instancesSet cannot be used with the parameter maxResults");
        }

        var maxResults = int.MaxValue;
        if (maxResultsText is not null && (!int.TryParse(maxResultsText, NumberStyles.Integer, CultureInfo.InvariantCulture, out maxResults) || maxResults < 5 || maxResults > 1000))
        {
            return BadRequest("InvalidParameterValue", $"Value ( {maxResultsText} ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.");
        }

        IEnumerable<StandInInstance> selected = _instances.Values;
        if (ids.Count > 0)
        {
            if (ids.FirstOrDefault(id => !InstanceIdPattern().IsMatch(id)) is { } malformed)
            {
                return BadRequest("InvalidInstanceID.Malformed", $"Invalid id: \"{malformed}\"");
            }

            var missing = ids.Where(id => !_instances.ContainsKey(id) || Hidden(id)).ToList();
            if (missing.Count > 0)
            {
                return BadRequest("InvalidInstanceID.NotFound", missing.Count == 1
                    ? $"The instance ID '{missing[0]}' does not exist"
                    : $"The instance IDs '{string.Join(", ", missing)}' do not exist");
            }

            selected = ids.Distinct(StringComparer.Ordinal).Select(id => _instances[id]);
        }

        foreach (var (filter, values) in call.Filters())
        {
            var f = filter;
            var v = values;
            selected = f switch
            {
                "instance-id" => selected.Where(i => v.Contains(i.InstanceId)),
                "instance-state-name" => selected.Where(i => v.Contains(i.StateAt(now))),
                "instance-type" => selected.Where(i => v.Contains(i.InstanceType)),
                "availability-zone" => selected.Where(i => v.Contains(i.Zone)),
                "tag-key" => selected.Where(i => v.Any(i.Tags.ContainsKey)),
                "tag-value" => selected.Where(i => i.Tags.Values.Any(v.Contains)),
                _ when f.StartsWith("tag:", StringComparison.Ordinal) => selected.Where(i => i.Tags.TryGetValue(f[4..], out var tag) && v.Contains(tag)),
                _ => selected,
            };
        }

        var all = selected.ToList();
        var start = 0;
        if (call.Get("NextToken") is { } next)
        {
            if (!int.TryParse(next, NumberStyles.Integer, CultureInfo.InvariantCulture, out start) || start < 0 || start > all.Count)
            {
                return BadRequest("InvalidParameterValue", "The specified NextToken is not valid.");
            }
        }

        var page = all.Skip(start).Take(maxResults).ToList();
        var nextToken = start + page.Count < all.Count ? (start + page.Count).ToString(CultureInfo.InvariantCulture) : null;
        return Ec2Xml.Response("DescribeInstances", x =>
        {
            x.List("reservationSet", page, (r, instance) => r
                .Value("reservationId", "r-" + instance.InstanceId[2..])
                .Value("ownerId", AccountId)
                .List("groupSet", Array.Empty<string>(), (_, _) => { })
                .List("instancesSet", [instance], (i, it) => WriteInstance(i, it, now)));
            x.Value("nextToken", nextToken);
        });
    }

    private void WriteInstance(Ec2Xml x, StandInInstance instance, DateTimeOffset now)
    {
        var state = instance.StateAt(now);
        var gone = state == "terminated";
        x.Value("instanceId", instance.InstanceId)
            .Value("imageId", instance.ImageId)
            .Struct("instanceState", s => s.Value("code", (long)StandInInstance.StateCode(state)).Value("name", state))
            .Value("privateDnsName", gone ? "" : instance.PrivateDnsName)
            .Value("dnsName", "")
            .Value("reason", "")
            .Value("amiLaunchIndex", 0L)
            .Value("instanceType", instance.InstanceType)
            .Value("launchTime", instance.LaunchTime)
            .Struct("placement", p => p.Value("availabilityZone", instance.Zone).Value("tenancy", "default"))
            .Struct("monitoring", m => m.Value("state", "disabled"));
        if (!gone)
        {
            x.Value("subnetId", instance.SubnetId).Value("privateIpAddress", instance.PrivateIpAddress);
        }

        x.Value("clientToken", instance.ClientToken)
            .Value("instanceLifecycle", instance.Lifecycle == "spot" ? "spot" : null)
            .Tags(instance.Tags);
        if (instance.IamInstanceProfile is { } profile)
        {
            x.Struct("iamInstanceProfile", p => p.Value("arn", $"arn:aws:iam::{AccountId}:instance-profile/{profile}"));
        }

        if (instance.MetadataOptions.Count > 0)
        {
            x.Struct("metadataOptions", m => m
                .Value("state", "applied")
                .Value("httpTokens", instance.MetadataOptions.GetValueOrDefault("HttpTokens"))
                .Value("httpPutResponseHopLimit", instance.MetadataOptions.GetValueOrDefault("HttpPutResponseHopLimit"))
                .Value("httpEndpoint", instance.MetadataOptions.GetValueOrDefault("HttpEndpoint"))
                .Value("httpProtocolIpv6", instance.MetadataOptions.GetValueOrDefault("HttpProtocolIpv6")));
        }
    }

    private AwsReply TerminateInstances(AwsCall call)
    {
        var now = Time.GetUtcNow();
        ExpireTerminated(now);
        var ids = call.List("InstanceId");
        if (ids.Count == 0)
        {
            return BadRequest("MissingParameter", "The request must contain the parameter InstanceId");
        }

        if (ids.FirstOrDefault(id => !InstanceIdPattern().IsMatch(id)) is { } malformed)
        {
            return BadRequest("InvalidInstanceID.Malformed", $"Invalid id: \"{malformed}\"");
        }

        var missing = ids.Where(id => !_instances.ContainsKey(id)).ToList();
        if (missing.Count > 0)
        {
            return BadRequest("InvalidInstanceID.NotFound", missing.Count == 1
                ? $"The instance ID '{missing[0]}' does not exist"
                : $"The instance IDs '{string.Join(", ", missing)}' do not exist");
        }

        var changes = new List<(string Id, string Previous, string Current)>();
        foreach (var id in ids.Distinct(StringComparer.Ordinal))
        {
            var instance = _instances[id];
            var previous = instance.StateAt(now);
            if (instance.TerminationRequestedAt is null)
            {
                instance.TerminationRequestedAt = now;
                instance.TerminatedAt = now + ShutdownDelay;
            }

            changes.Add((id, previous, instance.StateAt(now)));
        }

        return Ec2Xml.Response("TerminateInstances", x => x.List("instancesSet", changes, (i, c) => i
            .Value("instanceId", c.Id)
            .Struct("currentState", s => s.Value("code", (long)StandInInstance.StateCode(c.Current)).Value("name", c.Current))
            .Struct("previousState", s => s.Value("code", (long)StandInInstance.StateCode(c.Previous)).Value("name", c.Previous))));
    }

    private bool Hidden(string instanceId)
    {
        if (!_hiddenDescribes.TryGetValue(instanceId, out var left))
        {
            return false;
        }

        if (left <= 1)
        {
            _hiddenDescribes.Remove(instanceId);
        }
        else
        {
            _hiddenDescribes[instanceId] = left - 1;
        }

        return true;
    }

    private void ExpireTerminated(DateTimeOffset now)
    {
        foreach (var gone in _instances.Values.Where(i => i.TerminatedAt is { } at && now >= at + TerminatedVisibleFor).Select(i => i.InstanceId).ToList())
        {
            _instances.Remove(gone);
        }
    }

    private StandInInstance NewInstance(string type, string zone, string subnetId, string lifecycle, string? imageId, string? clientToken,
        string? launchTemplateId, string? profile, Dictionary<string, string> tags, Dictionary<string, string> metadata)
    {
        var serial = ++_launchSerial;
        var third = (int)(((serial - 1) / 254) % 254) + 1;
        var fourth = (int)((serial - 1) % 254) + 1;
        var ip = $"10.0.{third}.{fourth}";
        var domain = Region == "us-east-1" ? "ec2.internal" : $"{Region}.compute.internal";
        var now = Time.GetUtcNow();
        return new StandInInstance
        {
            InstanceId = "i-" + Hex(17),
            InstanceType = type,
            Zone = zone,
            SubnetId = subnetId,
            ImageId = imageId,
            Lifecycle = lifecycle,
            PrivateIpAddress = ip,
            PrivateDnsName = $"ip-10-0-{third}-{fourth}.{domain}",
            LaunchTime = now,
            RunningAt = now + BootDelay,
            ClientToken = clientToken,
            LaunchTemplateId = launchTemplateId,
            IamInstanceProfile = profile,
            Tags = tags,
            MetadataOptions = metadata,
        };
    }

    private static string Hex(int length) => Guid.NewGuid().ToString("N")[..Math.Min(length, 32)];

    /// <summary>The tags of the <c>{prefix}.N</c> tag specifications for one resource type.</summary>
    private static Dictionary<string, string> TagsOf(AwsCall call, string prefix, string resourceType)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var spec in call.Structures(prefix).Concat(call.Structures(prefix + "s")))
        {
            if (spec.GetValueOrDefault("ResourceType") != resourceType)
            {
                continue;
            }

            for (var i = 1; spec.TryGetValue($"Tag.{i}.Key", out var key); i++)
            {
                tags[key] = spec.GetValueOrDefault($"Tag.{i}.Value") ?? "";
            }
        }

        return tags;
    }

    /// <summary>The instance tags a launch template's data carries (<c>TagSpecification.N</c>).</summary>
    private static Dictionary<string, string> TagsOfData(IReadOnlyDictionary<string, string> data, string resourceType)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var n = 1; data.ContainsKey($"TagSpecification.{n}.ResourceType"); n++)
        {
            if (data[$"TagSpecification.{n}.ResourceType"] != resourceType)
            {
                continue;
            }

            for (var i = 1; data.TryGetValue($"TagSpecification.{n}.Tag.{i}.Key", out var key); i++)
            {
                tags[key] = data.GetValueOrDefault($"TagSpecification.{n}.Tag.{i}.Value") ?? "";
            }
        }

        return tags;
    }

    private static IReadOnlyList<IReadOnlyDictionary<string, string>> Structures(AwsCall call, string prefix) => call.Structures(prefix);

    /// <summary>The <c>{prefix}.N.*</c> members of one structure, as their own structures.</summary>
    private static List<IReadOnlyDictionary<string, string>> Substructures(IReadOnlyDictionary<string, string> parent, string prefix)
    {
        var result = new List<IReadOnlyDictionary<string, string>>();
        for (var i = 1; ; i++)
        {
            var head = $"{prefix}.{i}.";
            var members = parent.Where(p => p.Key.StartsWith(head, StringComparison.Ordinal))
                .ToDictionary(p => p.Key[head.Length..], p => p.Value, StringComparer.Ordinal);
            if (members.Count == 0)
            {
                return result;
            }

            result.Add(members);
        }
    }
}
