using Amazon.EC2;
using Amazon.EC2.Model;
using Capstan.Aws.Clients;
using Capstan.Aws.Discovery;
using Capstan.Core.Cloud;

namespace Capstan.Aws.AutoScaling;

/// <summary>
/// Finds the instance types an Auto Scaling group launches, in Cluster Autoscaler's order: the mixed instances
/// policy's overrides (an override with a template of its own takes that template's type); else the launch
/// template's <c>InstanceType</c> (EC2 <c>DescribeLaunchTemplateVersions</c> for the group's version, <c>$Default</c>
/// when it names none); else the launch configuration's. Template and configuration look-ups are kept a minute.
/// </summary>
public sealed class GroupTypeResolver
{
    public static readonly TimeSpan Ttl = TimeSpan.FromMinutes(1);
    public const string DefaultVersion = "$Default";

    private readonly AutoScalingClient _autoScaling;
    private readonly IAmazonEC2 _ec2;
    private readonly AwsPipelines _pipelines;
    private readonly TtlCache<TemplateFacts> _templates;
    private readonly TtlCache<TemplateFacts> _configurations;

    public GroupTypeResolver(AutoScalingClient autoScaling, IAmazonEC2 ec2, AwsPipelines pipelines, TimeProvider time)
    {
        _autoScaling = autoScaling;
        _ec2 = ec2;
        _pipelines = pipelines;
        _templates = new(Ttl, time);
        _configurations = new(Ttl, time);
    }

    public async Task<GroupTypes> ResolveAsync(AutoScalingGroup group, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(group);
        if (group.MixedInstancesPolicy is { } mixed)
        {
            return await MixedAsync(mixed, cancellationToken);
        }

        if (group.LaunchTemplate is { } template)
        {
            var facts = await TemplateAsync(template, cancellationToken);
            return new GroupTypes(facts.InstanceType is null ? [] : [facts.InstanceType], "launch template " + Describe(template), facts.Spot,
                facts.Problem ?? (facts.InstanceType is null ? $"launch template {Describe(template)} sets no instance type" : null));
        }

        if (!string.IsNullOrEmpty(group.LaunchConfigurationName))
        {
            var facts = await ConfigurationAsync(group.LaunchConfigurationName, cancellationToken);
            return new GroupTypes(facts.InstanceType is null ? [] : [facts.InstanceType], "launch configuration " + group.LaunchConfigurationName, false,
                facts.Problem ?? (facts.InstanceType is null ? $"launch configuration {group.LaunchConfigurationName} sets no instance type" : null));
        }

        return new GroupTypes([], "no launch template", false, "the group names no launch template, mixed instances policy or launch configuration");
    }

    /// <summary>A template as people write it: <c>lt-0abc version $Default</c>.</summary>
    public static string Describe(LaunchTemplateSpecification template)
    {
        ArgumentNullException.ThrowIfNull(template);
        return $"{template.LaunchTemplateId ?? template.LaunchTemplateName ?? "(unnamed)"} version {(string.IsNullOrEmpty(template.Version) ? DefaultVersion : template.Version)}";
    }

    private async Task<GroupTypes> MixedAsync(MixedInstancesPolicy mixed, CancellationToken cancellationToken)
    {
        var template = mixed.LaunchTemplate?.LaunchTemplateSpecification;
        var overrides = mixed.LaunchTemplate?.Overrides ?? [];
        var names = new List<string>();
        var problems = new List<string>();
        TemplateFacts? groupTemplate = null;
        foreach (var o in overrides)
        {
            if (!string.IsNullOrEmpty(o.InstanceType))
            {
                Add(names, o.InstanceType);
            }
            else if (o.LaunchTemplateSpecification is { } own)
            {
                var facts = await TemplateAsync(own, cancellationToken);
                if (facts.InstanceType is not null)
                {
                    Add(names, facts.InstanceType);
                }
                else
                {
                    problems.Add(facts.Problem ?? $"launch template {Describe(own)} of an override sets no instance type");
                }
            }
            else if (o.HasInstanceRequirements)
            {
                problems.Add("an override chooses instance types by attributes, which Capstan does not resolve");
            }
        }

        if (overrides.Count == 0 && template is not null)
        {
            groupTemplate = await TemplateAsync(template, cancellationToken);
            if (groupTemplate.InstanceType is not null)
            {
                names.Add(groupTemplate.InstanceType);
            }
            else
            {
                problems.Add(groupTemplate.Problem ?? $"launch template {Describe(template)} sets no instance type and the policy has no overrides");
            }
        }
        else if (overrides.Count == 0)
        {
            problems.Add("the mixed instances policy names no launch template and no overrides");
        }

        var description = overrides.Count > 0
            ? $"mixed instances policy ({names.Count} type{(names.Count == 1 ? "" : "s")})"
            : $"mixed instances policy, launch template {(template is null ? "(none)" : Describe(template))}";
        return new GroupTypes(names, description, groupTemplate?.Spot ?? false, problems.Count == 0 ? null : string.Join("; ", problems));
    }

    private static void Add(List<string> names, string name)
    {
        if (!names.Contains(name, StringComparer.Ordinal))
        {
            names.Add(name);
        }
    }

    private Task<TemplateFacts> TemplateAsync(LaunchTemplateSpecification template, CancellationToken cancellationToken)
    {
        var version = string.IsNullOrEmpty(template.Version) ? DefaultVersion : template.Version;
        // The id names the template when both are given (it is the one asked for), so groups sharing it share a look-up.
        var key = (string.IsNullOrEmpty(template.LaunchTemplateId) ? "name:" + template.LaunchTemplateName : "id:" + template.LaunchTemplateId) + "|" + version;
        return _templates.GetOrLoadAsync(key, ct => ReadTemplateAsync(template, version, ct), cancellationToken);
    }

    private async Task<TemplateFacts> ReadTemplateAsync(LaunchTemplateSpecification template, string version, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(template.LaunchTemplateId) && string.IsNullOrEmpty(template.LaunchTemplateName))
        {
            return new TemplateFacts(null, false, "the launch template is named neither by id nor by name");
        }

        var request = new DescribeLaunchTemplateVersionsRequest
        {
            LaunchTemplateId = string.IsNullOrEmpty(template.LaunchTemplateId) ? null : template.LaunchTemplateId,
            LaunchTemplateName = string.IsNullOrEmpty(template.LaunchTemplateId) ? template.LaunchTemplateName : null,
            Versions = [version],
        };
        try
        {
            var answer = await AwsPipelines.RunAsync(_pipelines.Idempotent("EC2"), "EC2", "DescribeLaunchTemplateVersions",
                t => _ec2.DescribeLaunchTemplateVersionsAsync(request, t), cancellationToken);
            var data = answer.LaunchTemplateVersions?.FirstOrDefault()?.LaunchTemplateData;
            if (data is null)
            {
                return new TemplateFacts(null, false, $"EC2 has no version {version} of launch template {Describe(template)}");
            }

            var type = data.InstanceType?.Value;
            var spot = string.Equals(data.InstanceMarketOptions?.MarketType?.Value, "spot", StringComparison.Ordinal);
            return new TemplateFacts(string.IsNullOrEmpty(type) ? null : type, spot, null);
        }
        catch (CloudProviderException e) when (!e.Retryable)
        {
            return new TemplateFacts(null, false, $"launch template {Describe(template)} could not be read: {e.Message}");
        }
    }

    private Task<TemplateFacts> ConfigurationAsync(string name, CancellationToken cancellationToken) =>
        _configurations.GetOrLoadAsync(name, async ct =>
        {
            try
            {
                var answer = await AwsPipelines.RunAsync(_pipelines.Idempotent(AwsNodeGroupProvider.Service), AwsNodeGroupProvider.Service, "DescribeLaunchConfigurations",
                    t => _autoScaling.DescribeLaunchConfigurationsAsync(new DescribeLaunchConfigurationsRequest { LaunchConfigurationNames = [name] }, t), ct);
                var found = answer.LaunchConfigurations.FirstOrDefault(c => c.LaunchConfigurationName == name);
                return found is null
                    ? new TemplateFacts(null, false, $"launch configuration {name} does not exist")
                    : new TemplateFacts(string.IsNullOrEmpty(found.InstanceType) ? null : found.InstanceType, false, null);
            }
            catch (CloudProviderException e) when (!e.Retryable)
            {
                return new TemplateFacts(null, false, $"launch configuration {name} could not be read: {e.Message}");
            }
        }, cancellationToken);

    /// <summary>What one template or configuration says: its type, whether it asks for spot, or why it could not be read.</summary>
    private sealed record TemplateFacts(string? InstanceType, bool Spot, string? Problem);
}
