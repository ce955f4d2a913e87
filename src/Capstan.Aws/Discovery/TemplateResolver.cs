using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using Capstan.Aws.Clients;
using Capstan.Core.Cloud;
using Microsoft.Extensions.Logging;

namespace Capstan.Aws.Discovery;

/// <summary>
/// Resolves a node template against AWS: its subnets and security groups (EC2 filters built from the selectors,
/// every page read), one AMI per architecture (the EKS-optimised SSM parameters of the cluster's Kubernetes version,
/// or the newest image the <c>amiSelector</c> finds) and the instance profile. Results are cached with
/// Karpenter's cache TTLs: subnets, security groups and images 1 minute, SSM parameters 24 hours.
/// </summary>
public sealed class TemplateResolver
{
    public static readonly TimeSpan DefaultTtl = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan SsmTtl = TimeSpan.FromHours(24);

    private readonly IAmazonEC2 _ec2;
    private readonly IAmazonSimpleSystemsManagement _ssm;
    private readonly AwsPipelines _pipelines;
    private readonly AwsOptions _options;
    private readonly ILogger<TemplateResolver> _logger;
    private readonly TtlCache<IReadOnlyList<SubnetInfo>> _subnets;
    private readonly TtlCache<IReadOnlyList<string>> _securityGroups;
    private readonly TtlCache<IReadOnlyDictionary<string, string>> _images;
    private readonly TtlCache<IReadOnlyDictionary<string, string>> _parameters;

    public TemplateResolver(IAmazonEC2 ec2, IAmazonSimpleSystemsManagement ssm, AwsPipelines pipelines, AwsOptions options, TimeProvider time, ILogger<TemplateResolver> logger)
    {
        _ec2 = ec2;
        _ssm = ssm;
        _pipelines = pipelines;
        _options = options;
        _logger = logger;
        _subnets = new(DefaultTtl, time);
        _securityGroups = new(DefaultTtl, time);
        _images = new(DefaultTtl, time);
        _parameters = new(SsmTtl, time);
    }

    public TemplateResolver(AwsClientFactory clients, AwsPipelines pipelines, AwsOptions options, TimeProvider time, ILogger<TemplateResolver> logger)
        : this((clients ?? throw new ArgumentNullException(nameof(clients))).CreateEc2(), clients.CreateSsm(), pipelines, options, time, logger)
    {
    }

    /// <summary>Page size asked of EC2 (<c>MaxResults</c>, 5-1000).</summary>
    public int PageSize { get; init; } = 1000;

    public async Task<ResolvedTemplate> ResolveAsync(NodeTemplate template, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(template);
        var family = AmiFamilies.Normalize(template.AmiFamily)
            ?? throw Problem("AmiFamily", $"the AMI family '{template.AmiFamily}' is not one Capstan knows (use AL2, Bottlerocket, Ubuntu or Custom)");
        var subnets = await SubnetsAsync(template, cancellationToken);
        var groups = await SecurityGroupsAsync(template, cancellationToken);
        var amis = await AmisAsync(template, family, cancellationToken);
        var resolved = new ResolvedTemplate
        {
            Template = template,
            AmiFamily = family,
            Subnets = subnets,
            SecurityGroupIds = groups,
            Amis = amis,
            InstanceProfile = string.IsNullOrWhiteSpace(template.InstanceProfile) ? _options.DefaultInstanceProfile : template.InstanceProfile,
        };
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            _logger.ReadTemplateResolved(template.Name ?? "(inline provider)", subnets.Count, string.Join(",", resolved.Zones), groups.Count,
                string.Join(", ", amis.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}={a.Value}")));
        }

        return resolved;
    }

    /// <summary>The subnets the template's selector finds, most free addresses first.</summary>
    public Task<IReadOnlyList<SubnetInfo>> SubnetsAsync(NodeTemplate template, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(template);
        var (selector, filters) = Selector(template, template.SubnetSelector, "subnet-id", "subnetSelector");
        return _subnets.GetOrLoadAsync(selector, async ct =>
        {
            var found = new List<SubnetInfo>();
            string? next = null;
            do
            {
                var request = new DescribeSubnetsRequest { Filters = filters, MaxResults = PageSize, NextToken = next };
                var page = await AwsPipelines.RunAsync(_pipelines.Idempotent("EC2"), "EC2", "DescribeSubnets", t => _ec2.DescribeSubnetsAsync(request, t), ct);
                found.AddRange((page.Subnets ?? []).Select(s => new SubnetInfo(s.SubnetId, s.AvailabilityZone, s.AvailabilityZoneId, s.AvailableIpAddressCount ?? 0)));
                next = string.IsNullOrEmpty(page.NextToken) ? null : page.NextToken;
            }
            while (next is not null);

            if (found.Count == 0)
            {
                throw Problem("DescribeSubnets", $"no subnet matches the subnet selector ({selector}); tag the cluster's subnets or fix the selector");
            }

            return (IReadOnlyList<SubnetInfo>)[.. found.OrderByDescending(s => s.AvailableIpAddresses).ThenBy(s => s.SubnetId, StringComparer.Ordinal)];
        }, cancellationToken);
    }

    /// <summary>The security group ids the template's selector finds.</summary>
    public Task<IReadOnlyList<string>> SecurityGroupsAsync(NodeTemplate template, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(template);
        var (selector, filters) = Selector(template, template.SecurityGroupSelector, "group-id", "securityGroupSelector");
        return _securityGroups.GetOrLoadAsync(selector, async ct =>
        {
            var found = new List<string>();
            string? next = null;
            do
            {
                var request = new DescribeSecurityGroupsRequest { Filters = filters, MaxResults = PageSize, NextToken = next };
                var page = await AwsPipelines.RunAsync(_pipelines.Idempotent("EC2"), "EC2", "DescribeSecurityGroups", t => _ec2.DescribeSecurityGroupsAsync(request, t), ct);
                found.AddRange((page.SecurityGroups ?? []).Select(g => g.GroupId));
                next = string.IsNullOrEmpty(page.NextToken) ? null : page.NextToken;
            }
            while (next is not null);

            if (found.Count == 0)
            {
                throw Problem("DescribeSecurityGroups", $"no security group matches the security group selector ({selector}); tag the cluster's security groups or fix the selector");
            }

            return (IReadOnlyList<string>)[.. found.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        }, cancellationToken);
    }

    /// <summary>One AMI per key (<c>amd64</c>, <c>arm64</c>, <c>amd64-nvidia</c>, ...): the selector's newest images, else the family's SSM parameters.</summary>
    public Task<IReadOnlyDictionary<string, string>> AmisAsync(NodeTemplate template, string family, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(template);
        if (template.AmiSelector.Count > 0)
        {
            return SelectedImagesAsync(template.AmiSelector, cancellationToken);
        }

        if (family == AmiFamilies.Custom)
        {
            throw Problem("AmiSelector", "the Custom AMI family needs an amiSelector naming the images to launch");
        }

        return PublishedImagesAsync(family, cancellationToken);
    }

    private Task<IReadOnlyDictionary<string, string>> SelectedImagesAsync(IReadOnlyDictionary<string, string> selector, CancellationToken cancellationToken)
    {
        var description = SelectorFilters.Describe(selector);
        return _images.GetOrLoadAsync(description, async ct =>
        {
            var owners = new List<string>();
            var tags = new Dictionary<string, string>(StringComparer.Ordinal);
            var filters = new List<Amazon.EC2.Model.Filter>();
            foreach (var (key, value) in selector)
            {
                switch (key)
                {
                    case "aws::owners":
                        owners.AddRange(SelectorFilters.Split(value));
                        break;
                    case "aws::name":
                        filters.Add(new Amazon.EC2.Model.Filter("name", SelectorFilters.Split(value)));
                        break;
                    default:
                        tags[key] = value;
                        break;
                }
            }

            filters.AddRange(SelectorFilters.For(tags, "image-id"));
            var byIds = selector.Keys.Any(SelectorFilters.IsIdsKey);
            if (owners.Count == 0 && !byIds)
            {
                // As Karpenter does: without ids or owners, only the account's own images and Amazon's.
                owners.AddRange(["self", "amazon"]);
            }

            var newest = new Dictionary<string, (string Id, string Created)>(StringComparer.Ordinal);
            string? next = null;
            do
            {
                var request = new DescribeImagesRequest { Filters = filters, Owners = owners.Count > 0 ? owners : null, NextToken = next, MaxResults = PageSize };
                var page = await AwsPipelines.RunAsync(_pipelines.Idempotent("EC2"), "EC2", "DescribeImages", t => _ec2.DescribeImagesAsync(request, t), ct);
                foreach (var image in page.Images ?? [])
                {
                    var arch = AmiFamilies.KubernetesArch(image.Architecture?.Value);
                    if (arch is null || (image.State is not null && image.State != ImageState.Available))
                    {
                        continue;
                    }

                    var created = image.CreationDate ?? "";
                    if (!newest.TryGetValue(arch, out var best) || string.CompareOrdinal(created, best.Created) > 0
                        || (created == best.Created && string.CompareOrdinal(image.ImageId, best.Id) < 0))
                    {
                        newest[arch] = (image.ImageId, created);
                    }
                }

                next = string.IsNullOrEmpty(page.NextToken) ? null : page.NextToken;
            }
            while (next is not null);

            if (newest.Count == 0)
            {
                throw Problem("DescribeImages", $"no available image matches the AMI selector ({description})");
            }

            return (IReadOnlyDictionary<string, string>)newest.ToDictionary(n => n.Key, n => n.Value.Id, StringComparer.Ordinal);
        }, cancellationToken);
    }

    private Task<IReadOnlyDictionary<string, string>> PublishedImagesAsync(string family, CancellationToken cancellationToken)
    {
        var version = _options.KubernetesVersion.Trim();
        return _parameters.GetOrLoadAsync(family + "/" + version, async ct =>
        {
            var wanted = AmiFamilies.SsmParameters(family, version);
            var request = new GetParametersRequest { Names = [.. wanted.Values] };
            var answer = await AwsPipelines.RunAsync(_pipelines.Idempotent("SSM"), "SSM", "GetParameters", t => _ssm.GetParametersAsync(request, t), ct);
            var values = (answer.Parameters ?? []).Where(p => !string.IsNullOrEmpty(p.Value)).ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
            var amis = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, name) in wanted)
            {
                if (values.TryGetValue(name, out var id))
                {
                    amis[key] = id;
                }
                else
                {
                    _logger.ReadAmiParameterMissing(name, family, key, version);
                }
            }

            if (amis.Count == 0)
            {
                throw Problem("GetParameters",
                    $"no EKS-optimised {family} AMI is published for Kubernetes {version}: none of the SSM parameters {string.Join(", ", wanted.Values)} exists "
                    + "(check the cluster's Kubernetes version, Capstan:Aws:KubernetesVersion, or name images with an amiSelector)");
            }

            return (IReadOnlyDictionary<string, string>)amis;
        }, cancellationToken);
    }

    private (string Description, List<Amazon.EC2.Model.Filter> Filters) Selector(NodeTemplate template, IReadOnlyDictionary<string, string> selector, string idFilter, string field)
    {
        if (selector.Count > 0)
        {
            return (SelectorFilters.Describe(selector), SelectorFilters.For(selector, idFilter));
        }

        if (!template.DiscoverByClusterTag)
        {
            throw Problem(field, $"the node template has no {field}; name the subnets and security groups to launch in");
        }

        if (string.IsNullOrWhiteSpace(_options.ClusterName))
        {
            throw Problem(field, $"the node template has no {field} and no cluster name is set to discover by (set Capstan:Cluster:Name, --cluster-name)");
        }

        var key = "kubernetes.io/cluster/" + _options.ClusterName.Trim();
        return (key + "=*", [new Amazon.EC2.Model.Filter("tag-key", [key])]);
    }

    private static CloudProviderException Problem(string operation, string message) =>
        new(operation, "NodeTemplateUnresolved", "The node template could not be resolved: " + message, retryable: false);
}
