using System.Globalization;
using System.Text;
using Capstan.Core.InstanceTypes;

namespace Capstan.Sandbox.Aws;

/// <summary>
/// The read side of the EC2 stand-in: subnets, security groups, images, instance types with their zone offerings,
/// the spot price history and the zones, answered as EC2 answers <c>DescribeSubnets</c>, <c>DescribeSecurityGroups</c>,
/// <c>DescribeImages</c>, <c>DescribeInstanceTypes</c>, <c>DescribeInstanceTypeOfferings</c>,
/// <c>DescribeSpotPriceHistory</c> and <c>DescribeAvailabilityZones</c>: EC2's filters (with <c>*</c>/<c>?</c>
/// wildcards), <c>MaxResults</c>/<c>NextToken</c> paging, and EC2's error codes for bad input.
/// </summary>
public sealed partial class Ec2StandIn
{
    private static readonly string[] s_anywhere = ["0.0.0.0/0"];
    private readonly List<Ec2Subnet> _subnets = [];
    private readonly List<Ec2SecurityGroup> _securityGroups = [];
    private readonly List<Ec2Image> _images = [];
    private readonly SortedDictionary<string, InstanceTypeSpec> _instanceTypes = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, SortedSet<string>> _offerings = new(StringComparer.Ordinal);
    private readonly List<Ec2SpotPrice> _spotPrices = [];
    private readonly SortedDictionary<string, string> _zones = new(StringComparer.Ordinal);

    /// <summary>The subnets, in the order added.</summary>
    public IReadOnlyList<Ec2Subnet> Subnets
    {
        get
        {
            lock (_gate)
            {
                return [.. _subnets];
            }
        }
    }

    /// <summary>Adds a subnet in a zone (the zone is added too, with a zone id made from its letter when none is given).</summary>
    public Ec2Subnet AddSubnet(string subnetId, string zone, IReadOnlyDictionary<string, string>? tags = null, int availableIpAddresses = 8000, string vpcId = "vpc-0a1b2c3d4e5f60718", string? zoneId = null)
    {
        ArgumentNullException.ThrowIfNull(zone);
        lock (_gate)
        {
            var id = AddZoneLocked(zone, zoneId);
            var subnet = new Ec2Subnet
            {
                SubnetId = subnetId,
                Zone = zone,
                ZoneId = id,
                VpcId = vpcId,
                CidrBlock = $"10.0.{_subnets.Count * 32 % 256}.0/19",
                AvailableIpAddresses = availableIpAddresses,
                Tags = Copy(tags),
            };
            _subnets.RemoveAll(s => s.SubnetId == subnetId);
            _subnets.Add(subnet);
            return subnet;
        }
    }

    public Ec2SecurityGroup AddSecurityGroup(string groupId, string groupName, IReadOnlyDictionary<string, string>? tags = null, string vpcId = "vpc-0a1b2c3d4e5f60718")
    {
        var group = new Ec2SecurityGroup { GroupId = groupId, GroupName = groupName, Description = groupName, VpcId = vpcId, Tags = Copy(tags) };
        lock (_gate)
        {
            _securityGroups.RemoveAll(g => g.GroupId == groupId);
            _securityGroups.Add(group);
        }

        return group;
    }

    /// <summary>Adds an image; <paramref name="ownerId"/> null means this account's, <c>amazon</c> one of Amazon's.</summary>
    public Ec2Image AddImage(string imageId, string name, string architecture, DateTimeOffset created, IReadOnlyDictionary<string, string>? tags = null, string? ownerId = null)
    {
        var amazon = ownerId == "amazon";
        var image = new Ec2Image
        {
            ImageId = imageId,
            Name = name,
            Architecture = architecture,
            CreationDate = created,
            OwnerId = amazon ? "137112412989" : ownerId ?? AccountId,
            OwnerAlias = amazon ? "amazon" : null,
            Public = amazon,
            Tags = Copy(tags),
        };
        lock (_gate)
        {
            _images.RemoveAll(i => i.ImageId == imageId);
            _images.Add(image);
        }

        return image;
    }

    /// <summary>
    /// Adds instance types with offerings in the zones each spec lists (or <paramref name="zones"/> when given), e.g.
    /// the built-in catalog's specs; the zones are added too.
    /// </summary>
    public void AddInstanceTypes(IEnumerable<InstanceTypeSpec> specs, IReadOnlyList<string>? zones = null)
    {
        ArgumentNullException.ThrowIfNull(specs);
        lock (_gate)
        {
            foreach (var spec in specs)
            {
                _instanceTypes[spec.Name] = spec;
                var offered = new SortedSet<string>(zones ?? spec.Zones, StringComparer.Ordinal);
                foreach (var zone in offered)
                {
                    AddZoneLocked(zone, null);
                }

                _offerings[spec.Name] = offered;
            }
        }
    }

    /// <summary>Adds a spot price record (a new price from <paramref name="at"/>, now when null).</summary>
    public void AddSpotPrice(string instanceType, string zone, double price, DateTimeOffset? at = null)
    {
        lock (_gate)
        {
            _spotPrices.Add(new Ec2SpotPrice(instanceType, zone, price, at ?? Time.GetUtcNow()));
        }
    }

    /// <summary>Adds a zone to <c>DescribeAvailabilityZones</c>.</summary>
    public void AddAvailabilityZone(string zone, string? zoneId = null)
    {
        lock (_gate)
        {
            AddZoneLocked(zone, zoneId);
        }
    }

    partial void RegisterReadActions()
    {
        On("DescribeSubnets", DescribeSubnets);
        On("DescribeSecurityGroups", DescribeSecurityGroups);
        On("DescribeImages", DescribeImages);
        On("DescribeInstanceTypes", DescribeInstanceTypes);
        On("DescribeInstanceTypeOfferings", DescribeInstanceTypeOfferings);
        On("DescribeSpotPriceHistory", DescribeSpotPriceHistory);
        On("DescribeAvailabilityZones", DescribeAvailabilityZones);
    }

    private AwsReply DescribeSubnets(AwsCall call)
    {
        var ids = call.List("SubnetId");
        if (ids.Count > 0 && call.Get("MaxResults") is not null)
        {
            return Combination("SubnetIds", "MaxResults");
        }

        foreach (var id in ids)
        {
            if (!id.StartsWith("subnet-", StringComparison.Ordinal))
            {
                return BadRequest("InvalidSubnetID.Malformed", $"Invalid id: \"{id}\"");
            }

            if (!_subnets.Exists(s => s.SubnetId == id))
            {
                return BadRequest("InvalidSubnetID.NotFound", $"The subnet ID '{id}' does not exist");
            }
        }

        var chosen = ids.Count > 0 ? _subnets.Where(s => ids.Contains(s.SubnetId)) : _subnets;
        return Respond(call, "DescribeSubnets", chosen, SubnetValues, 5, 1000, null, (x, page) => x.List("subnetSet", page, (x, s) => x
            .Value("subnetId", s.SubnetId)
            .Value("subnetArn", $"arn:aws:ec2:{Region}:{AccountId}:subnet/{s.SubnetId}")
            .Value("state", "available")
            .Value("vpcId", s.VpcId)
            .Value("ownerId", AccountId)
            .Value("cidrBlock", s.CidrBlock)
            .Values("ipv6CidrBlockAssociationSet", [])
            .Value("availableIpAddressCount", s.AvailableIpAddresses)
            .Value("availabilityZone", s.Zone)
            .Value("availabilityZoneId", s.ZoneId)
            .Value("defaultForAz", false)
            .Value("mapPublicIpOnLaunch", false)
            .Value("mapCustomerOwnedIpOnLaunch", false)
            .Value("assignIpv6AddressOnCreation", false)
            .Value("enableDns64", false)
            .Value("ipv6Native", false)
            .Struct("privateDnsNameOptionsOnLaunch", x => x
                .Value("hostnameType", "ip-name")
                .Value("enableResourceNameDnsARecord", false)
                .Value("enableResourceNameDnsAAAARecord", false))
            .Struct("blockPublicAccessStates", x => x.Value("internetGatewayBlockMode", "off"))
            .Tags(s.Tags)));
    }

    private static IEnumerable<string>? SubnetValues(Ec2Subnet s, string filter) => filter switch
    {
        "subnet-id" => [s.SubnetId],
        "availability-zone" => [s.Zone],
        "availability-zone-id" => [s.ZoneId],
        "vpc-id" => [s.VpcId],
        "cidr-block" or "cidr" => [s.CidrBlock],
        "state" => ["available"],
        "available-ip-address-count" => [s.AvailableIpAddresses.ToString(CultureInfo.InvariantCulture)],
        _ => TagValues(s.Tags, filter),
    };

    private AwsReply DescribeSecurityGroups(AwsCall call)
    {
        var ids = call.List("GroupId");
        var names = call.List("GroupName");
        if ((ids.Count > 0 || names.Count > 0) && call.Get("MaxResults") is not null)
        {
            return Combination(ids.Count > 0 ? "GroupIds" : "GroupNames", "MaxResults");
        }

        foreach (var id in ids)
        {
            if (!id.StartsWith("sg-", StringComparison.Ordinal))
            {
                return BadRequest("InvalidGroupId.Malformed", $"Invalid id: \"{id}\" (expecting \"sg-...\")");
            }

            if (!_securityGroups.Exists(g => g.GroupId == id))
            {
                return BadRequest("InvalidGroup.NotFound", $"The security group '{id}' does not exist");
            }
        }

        foreach (var name in names)
        {
            if (!_securityGroups.Exists(g => g.GroupName == name))
            {
                return BadRequest("InvalidGroup.NotFound", $"The security group '{name}' does not exist in default VPC");
            }
        }

        var chosen = _securityGroups.Where(g => (ids.Count == 0 || ids.Contains(g.GroupId)) && (names.Count == 0 || names.Contains(g.GroupName)));
        return Respond(call, "DescribeSecurityGroups", chosen, GroupValues, 5, 1000, null, (x, page) => x.List("securityGroupInfo", page, (x, g) => x
            .Value("ownerId", AccountId)
            .Value("groupId", g.GroupId)
            .Value("groupName", g.GroupName)
            .Value("groupDescription", g.Description)
            .Value("vpcId", g.VpcId)
            .Value("securityGroupArn", $"arn:aws:ec2:{Region}:{AccountId}:security-group/{g.GroupId}")
            .List("ipPermissions", new[] { g }, (x, self) => x
                .Value("ipProtocol", "-1")
                .List("groups", new[] { self }, (x, s) => x.Value("userId", AccountId).Value("groupId", s.GroupId))
                .Values("ipRanges", [])
                .Values("ipv6Ranges", [])
                .Values("prefixListIds", []))
            .List("ipPermissionsEgress", new[] { g }, (x, _) => x
                .Value("ipProtocol", "-1")
                .Values("groups", [])
                .List("ipRanges", s_anywhere, (x, cidr) => x.Value("cidrIp", cidr))
                .Values("ipv6Ranges", [])
                .Values("prefixListIds", []))
            .Tags(g.Tags)));
    }

    private static IEnumerable<string>? GroupValues(Ec2SecurityGroup g, string filter) => filter switch
    {
        "group-id" => [g.GroupId],
        "group-name" => [g.GroupName],
        "vpc-id" => [g.VpcId],
        "description" => [g.Description],
        _ => TagValues(g.Tags, filter),
    };

    private AwsReply DescribeImages(AwsCall call)
    {
        var ids = call.List("ImageId");
        if (ids.Count > 0 && call.Get("MaxResults") is not null)
        {
            return Combination("ImageIds", "MaxResults");
        }

        foreach (var id in ids)
        {
            if (!id.StartsWith("ami-", StringComparison.Ordinal))
            {
                return BadRequest("InvalidAMIID.Malformed", $"Invalid id: \"{id}\" (expecting \"ami-...\")");
            }

            if (!_images.Exists(i => i.ImageId == id))
            {
                return BadRequest("InvalidAMIID.NotFound", $"The image id '[{id}]' does not exist");
            }
        }

        var owners = call.List("Owner");
        var chosen = _images.Where(i => (ids.Count == 0 || ids.Contains(i.ImageId)) && (owners.Count == 0 || owners.Any(o => OwnedBy(i, o))));
        return Respond(call, "DescribeImages", chosen, ImageValues, 5, 1000, null, (x, page) => x.List("imagesSet", page, (x, i) => x
            .Value("imageId", i.ImageId)
            .Value("imageLocation", $"{i.OwnerAlias ?? i.OwnerId}/{i.Name}")
            .Value("imageState", i.State)
            .Value("imageOwnerId", i.OwnerId)
            .Value("creationDate", i.CreationDate)
            .Value("isPublic", i.Public)
            .Value("architecture", i.Architecture)
            .Value("imageType", "machine")
            .Value("imageOwnerAlias", i.OwnerAlias)
            .Value("name", i.Name)
            .Value("rootDeviceType", "ebs")
            .Value("rootDeviceName", "/dev/xvda")
            .List("blockDeviceMapping", new[] { i }, (x, _) => x
                .Value("deviceName", "/dev/xvda")
                .Struct("ebs", x => x.Value("deleteOnTermination", true).Value("volumeSize", 20L).Value("volumeType", "gp2").Value("encrypted", false)))
            .Value("virtualizationType", "hvm")
            .Tags(i.Tags)
            .Value("hypervisor", "xen")
            .Value("enaSupport", true)
            .Value("platformDetails", "Linux/UNIX")
            .Value("usageOperation", "RunInstances")));
    }

    private bool OwnedBy(Ec2Image image, string owner) => owner switch
    {
        "self" => image.OwnerId == AccountId,
        "amazon" => image.OwnerAlias == "amazon",
        _ => image.OwnerId == owner,
    };

    private static IEnumerable<string>? ImageValues(Ec2Image i, string filter) => filter switch
    {
        "image-id" => [i.ImageId],
        "name" => [i.Name],
        "architecture" => [i.Architecture],
        "owner-id" => [i.OwnerId],
        "owner-alias" => i.OwnerAlias is null ? [] : [i.OwnerAlias],
        "state" => [i.State],
        "is-public" => [i.Public ? "true" : "false"],
        "image-type" => ["machine"],
        _ => TagValues(i.Tags, filter),
    };

    private AwsReply DescribeInstanceTypes(AwsCall call)
    {
        var names = call.List("InstanceType");
        var unknown = names.Where(n => !_instanceTypes.ContainsKey(n)).ToList();
        if (unknown.Count > 0)
        {
            return BadRequest("InvalidInstanceType", $"The following supplied instance types do not exist: [{string.Join(", ", unknown)}]");
        }

        var chosen = names.Count > 0 ? names.Distinct(StringComparer.Ordinal).Select(n => _instanceTypes[n]) : _instanceTypes.Values;
        return Respond(call, "DescribeInstanceTypes", chosen, TypeValues, 5, 100, 100, (x, page) => x.List("instanceTypeSet", page, WriteInstanceType));
    }

    private static IEnumerable<string>? TypeValues(InstanceTypeSpec t, string filter) => filter switch
    {
        "instance-type" => [t.Name],
        "processor-info.supported-architecture" => [Ec2Architecture(t.Architecture)],
        "current-generation" => [t.CurrentGeneration ? "true" : "false"],
        "bare-metal" => [t.BareMetal ? "true" : "false"],
        "burstable-performance-supported" => [t.Burstable ? "true" : "false"],
        "hypervisor" => t.Hypervisor is null ? [] : [t.Hypervisor],
        "vcpu-info.default-vcpus" => [t.VCpu.ToString(CultureInfo.InvariantCulture)],
        "memory-info.size-in-mib" => [t.MemoryMiB.ToString(CultureInfo.InvariantCulture)],
        "supported-usage-class" => t.SpotSupported ? ["on-demand", "spot"] : ["on-demand"],
        _ => null,
    };

    /// <summary>One <c>InstanceTypeInfo</c> in the service model's member order (as the samples).</summary>
    private static void WriteInstanceType(Ec2Xml x, InstanceTypeSpec t)
    {
        x.Value("instanceType", t.Name)
            .Value("currentGeneration", t.CurrentGeneration)
            .Value("freeTierEligible", false)
            .Values("supportedUsageClasses", t.SpotSupported ? ["on-demand", "spot"] : ["on-demand"])
            .Values("supportedRootDeviceTypes", ["ebs"])
            .Values("supportedVirtualizationTypes", ["hvm"])
            .Value("bareMetal", t.BareMetal)
            .Value("hypervisor", t.Hypervisor)
            .Struct("processorInfo", x => x.Values("supportedArchitectures", [Ec2Architecture(t.Architecture)]))
            .Struct("vCpuInfo", x => x.Value("defaultVCpus", (long)t.VCpu))
            .Struct("memoryInfo", x => x.Value("sizeInMiB", t.MemoryMiB))
            .Value("instanceStorageSupported", t.LocalNvmeGiB > 0);
        if (t.LocalNvmeGiB > 0)
        {
            x.Struct("instanceStorageInfo", x => x
                .Value("totalSizeInGB", t.LocalNvmeGiB)
                .List("disks", new[] { t }, (x, s) => x.Value("sizeInGB", s.LocalNvmeGiB).Value("count", 1L).Value("type", "ssd"))
                .Value("nvmeSupport", "required"));
        }

        var bandwidthGbps = t.NetworkBandwidthMbps > 0 ? t.NetworkBandwidthMbps / 1000.0 : (double?)null;
        x.Struct("networkInfo", x =>
        {
            x.Value("networkPerformance", bandwidthGbps is { } g ? $"{g:0.###} Gigabit" : "Moderate")
                .Value("maximumNetworkInterfaces", (long)t.MaxEnis)
                .Value("maximumNetworkCards", 1L)
                .Value("defaultNetworkCardIndex", 0L)
                .List("networkCards", new[] { t }, (x, s) => x
                    .Value("networkCardIndex", 0L)
                    .Value("maximumNetworkInterfaces", (long)s.MaxEnis)
                    .Value("baselineBandwidthInGbps", bandwidthGbps))
                .Value("ipv4AddressesPerInterface", (long)t.Ipv4PerEni)
                .Value("ipv6AddressesPerInterface", (long)t.Ipv4PerEni)
                .Value("ipv6Supported", true)
                .Value("enaSupport", "required")
                .Value("efaSupported", t.MaxEfaInterfaces > 0);
            if (t.MaxEfaInterfaces > 0)
            {
                x.Struct("efaInfo", x => x.Value("maximumEfaInterfaces", (long)t.MaxEfaInterfaces));
            }
        });
        if (t.GpuCount > 0)
        {
            x.Struct("gpuInfo", x => x
                .List("gpus", new[] { t }, (x, s) => x
                    .Value("name", s.GpuName)
                    .Value("manufacturer", s.GpuManufacturer)
                    .Value("count", (long)s.GpuCount)
                    .Struct("memoryInfo", x => x.Value("sizeInMiB", s.GpuMemoryMiB)))
                .Value("totalGpuMemoryInMiB", t.GpuMemoryMiB * t.GpuCount));
        }

        if (t.AcceleratorCount > 0 && t.NeuronCoreCount == 0)
        {
            // The model gives this list no locationName: EC2 (and the .NET SDK) use <member> here.
            x.Struct("inferenceAcceleratorInfo", x => x.List("accelerators", new[] { t }, (x, s) => x
                .Value("count", (long)s.AcceleratorCount)
                .Value("name", s.AcceleratorName)
                .Value("manufacturer", s.AcceleratorManufacturer), member: "member"));
        }

        x.Value("burstablePerformanceSupported", t.Burstable);
        if (t.AcceleratorCount > 0 && t.NeuronCoreCount > 0)
        {
            x.Struct("neuronInfo", x => x.List("neuronDevices", new[] { t }, (x, s) => x
                .Value("count", (long)s.AcceleratorCount)
                .Value("name", s.AcceleratorName)
                .Struct("coreInfo", x => x.Value("count", (long)(s.NeuronCoreCount / s.AcceleratorCount)).Value("version", 2L))));
        }

        x.Value("supportedInRegion", true);
    }

    private AwsReply DescribeInstanceTypeOfferings(AwsCall call)
    {
        var locationType = call.Get("LocationType") ?? "region";
        if (locationType is not ("region" or "availability-zone" or "availability-zone-id"))
        {
            return BadRequest("InvalidParameterValue", $"Value ({locationType}) for parameter locationType is invalid. Valid values: region, availability-zone, availability-zone-id, outpost");
        }

        var rows = new List<(string Type, string Location)>();
        foreach (var (type, zones) in _offerings)
        {
            if (locationType == "region")
            {
                if (zones.Count > 0)
                {
                    rows.Add((type, Region));
                }

                continue;
            }

            foreach (var zone in zones)
            {
                rows.Add((type, locationType == "availability-zone" ? zone : _zones.GetValueOrDefault(zone, zone)));
            }
        }

        return Respond(call, "DescribeInstanceTypeOfferings", rows, static (r, f) => f switch
        {
            "location" => [r.Location],
            "instance-type" => [r.Type],
            _ => null,
        }, 5, 1000, null, (x, page) => x.List("instanceTypeOfferingSet", page, (x, r) => x
            .Value("instanceType", r.Type)
            .Value("locationType", locationType)
            .Value("location", r.Location)));
    }

    private AwsReply DescribeSpotPriceHistory(AwsCall call)
    {
        var types = call.List("InstanceType");
        var products = call.List("ProductDescription");
        var zone = call.Get("AvailabilityZone");
        DateTimeOffset? start = null;
        DateTimeOffset? end = null;
        foreach (var (name, text) in new[] { ("StartTime", call.Get("StartTime")), ("EndTime", call.Get("EndTime")) })
        {
            if (text is null)
            {
                continue;
            }

            if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var when))
            {
                return BadRequest("InvalidParameterValue", $"Value ({text}) for parameter {char.ToLowerInvariant(name[0])}{name[1..]} is invalid. Expected: 'Date'.");
            }

            if (name == "StartTime")
            {
                start = when;
            }
            else
            {
                end = when;
            }
        }

        if (start is { } s0 && end is { } e0 && e0 < s0)
        {
            return BadRequest("InvalidParameterValue", "The end time must be later than the start time.");
        }

        // What EC2 gives: the records inside [start, end], plus the one in effect at start for each (type, zone, product).
        var candidates = _spotPrices.Where(p => (types.Count == 0 || types.Contains(p.InstanceType)) && (products.Count == 0 || products.Contains(p.ProductDescription))
            && (zone is null || p.Zone == zone) && (end is null || p.Timestamp <= end));
        var chosen = new List<Ec2SpotPrice>();
        foreach (var group in candidates.GroupBy(p => (p.InstanceType, p.Zone, p.ProductDescription)))
        {
            var ordered = group.OrderByDescending(p => p.Timestamp).ToList();
            chosen.AddRange(ordered.Where(p => start is null || p.Timestamp >= start));
            if (start is not null && ordered.FirstOrDefault(p => p.Timestamp < start) is { } inEffect)
            {
                chosen.Add(inEffect);
            }
        }

        chosen = [.. chosen.OrderByDescending(p => p.Timestamp).ThenBy(p => p.InstanceType, StringComparer.Ordinal).ThenBy(p => p.Zone, StringComparer.Ordinal)];
        return Respond(call, "DescribeSpotPriceHistory", chosen, static (p, f) => f switch
        {
            "availability-zone" => [p.Zone],
            "instance-type" => [p.InstanceType],
            "product-description" => [p.ProductDescription],
            "spot-price" => [Price(p.Price)],
            _ => null,
        }, 5, 1000, null, (x, page) => x.List("spotPriceHistorySet", page, (x, p) => x
            .Value("availabilityZone", p.Zone)
            .Value("instanceType", p.InstanceType)
            .Value("productDescription", p.ProductDescription)
            .Value("spotPrice", Price(p.Price))
            .Value("timestamp", p.Timestamp)));
    }

    private AwsReply DescribeAvailabilityZones(AwsCall call)
    {
        var names = call.List("ZoneName");
        var unknown = names.FirstOrDefault(n => !_zones.ContainsKey(n));
        if (unknown is not null)
        {
            return BadRequest("InvalidParameterValue", $"Invalid availability zone: [{unknown}]");
        }

        var zones = _zones.Where(z => names.Count == 0 || names.Contains(z.Key)).ToList();
        var filtered = Filter(call, zones, (z, f) => f switch
        {
            "zone-name" => [z.Key],
            "zone-id" => [z.Value],
            "region-name" => [Region],
            "state" => ["available"],
            "zone-type" => ["availability-zone"],
            _ => null,
        }, out var problem);
        if (problem is not null)
        {
            return problem;
        }

        return Ec2Xml.Response("DescribeAvailabilityZones", x => x.List("availabilityZoneInfo", filtered, (x, z) => x
            .Value("optInStatus", "opt-in-not-required")
            .Value("zoneName", z.Key)
            .Value("zoneId", z.Value)
            .Value("groupName", Region + "-zg-1")
            .Value("networkBorderGroup", Region)
            .Value("zoneType", "availability-zone")
            .Value("zoneState", "available")
            .Value("regionName", Region)
            .Values("messageSet", [])));
    }

    /// <summary>Filters, then pages (<c>MaxResults</c> between <paramref name="min"/> and <paramref name="max"/>), then writes.</summary>
    private static AwsReply Respond<T>(
        AwsCall call, string action, IEnumerable<T> items, Func<T, string, IEnumerable<string>?> values, int min, int max, int? defaultPage, Action<Ec2Xml, IReadOnlyList<T>> write)
    {
        var matched = Filter(call, items, values, out var problem);
        if (problem is not null)
        {
            return problem;
        }

        var size = defaultPage ?? int.MaxValue;
        if (call.Get("MaxResults") is { } text)
        {
            if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out size) || size < min || size > max)
            {
                return BadRequest("InvalidParameterValue", $"Value ( {text} ) for parameter maxResults is invalid. Parameter must be between {min} and {max}.");
            }
        }

        var offset = 0;
        if (call.Get("NextToken") is { Length: > 0 } token && !TryReadToken(token, action, out offset))
        {
            return BadRequest("InvalidPaginationToken", $"Invalid pagination token: {token}");
        }

        var page = matched.Skip(offset).Take(size).ToList();
        var next = offset + page.Count < matched.Count ? Token(action, offset + page.Count) : null;
        return Ec2Xml.Response(action, x =>
        {
            write(x, page);
            x.Value("nextToken", next);
        });
    }

    private static List<T> Filter<T>(AwsCall call, IEnumerable<T> items, Func<T, string, IEnumerable<string>?> values, out AwsReply? problem)
    {
        problem = null;
        var filters = call.Filters();
        var probe = items.ToList();
        foreach (var (name, wanted) in filters)
        {
            if (string.IsNullOrEmpty(name))
            {
                problem = BadRequest("InvalidParameterValue", "The filter 'null' is invalid");
                return [];
            }

            if (wanted.Count == 0)
            {
                problem = BadRequest("InvalidParameterValue", $"The filter '{name}' needs at least one value");
                return [];
            }

            if (!name.StartsWith("tag:", StringComparison.Ordinal) && name != "tag-key" && name != "tag-value" && probe.Count > 0 && values(probe[0], name) is null)
            {
                problem = BadRequest("InvalidParameterValue", $"The filter '{name}' is invalid");
                return [];
            }
        }

        return [.. probe.Where(item => filters.All(f => values(item, f.Name) is { } have && have.Any(v => f.Values.Any(w => Glob(w, v)))))];
    }

    private static IEnumerable<string>? TagValues(IReadOnlyDictionary<string, string> tags, string filter) =>
        filter.StartsWith("tag:", StringComparison.Ordinal) ? tags.TryGetValue(filter[4..], out var v) ? [v] : []
        : filter == "tag-key" ? tags.Keys
        : filter == "tag-value" ? tags.Values
        : null;

    /// <summary>EC2's filter wildcards: <c>*</c> any run of characters, <c>?</c> one character, <c>\</c> escapes.</summary>
    private static bool Glob(string pattern, string text)
    {
        int p = 0, t = 0, star = -1, mark = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && pattern[p] == '\\' && p + 1 < pattern.Length && pattern[p + 1] == text[t])
            {
                p += 2;
                t++;
            }
            else if (p < pattern.Length && (pattern[p] == '?' || (pattern[p] == text[t] && pattern[p] != '*' && pattern[p] != '\\')))
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = t;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++mark;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    private static string Token(string action, int offset) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{action}:{offset.ToString(CultureInfo.InvariantCulture)}"));

    private static bool TryReadToken(string token, string action, out int offset)
    {
        offset = 0;
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            return text.StartsWith(action + ":", StringComparison.Ordinal)
                && int.TryParse(text[(action.Length + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out offset);
        }
        catch (FormatException)
        {
            return false;
        }
    }


    private static AwsReply Combination(string a, string b) =>
        BadRequest("InvalidParameterCombination", $"The parameter {a} cannot be used with the parameter {b}");

    private static string Ec2Architecture(string kubernetesArch) => kubernetesArch == "amd64" ? "x86_64" : kubernetesArch;

    private static string Price(double price) => price.ToString("0.000000", CultureInfo.InvariantCulture);

    private static Dictionary<string, string> Copy(IReadOnlyDictionary<string, string>? tags) =>
        tags is null ? new(StringComparer.Ordinal) : new(tags, StringComparer.Ordinal);

    private string AddZoneLocked(string zone, string? zoneId)
    {
        if (_zones.TryGetValue(zone, out var known) && zoneId is null)
        {
            return known;
        }

        // A zone id in EC2's form (use1-az1) made from the zone's letter when none is given.
        var prefix = string.Concat(Region.Split('-').Select((part, i) => i == 1 ? part[..1] : part));
        var id = zoneId ?? $"{prefix}-az{zone[^1] - 'a' + 1}";
        _zones[zone] = id;
        return id;
    }
}
