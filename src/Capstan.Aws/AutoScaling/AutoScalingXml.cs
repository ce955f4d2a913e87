using System.Globalization;
using System.Xml.Linq;

namespace Capstan.Aws.AutoScaling;

/// <summary>
/// Reads Auto Scaling's XML answers (namespace <c>http://autoscaling.amazonaws.com/doc/2011-01-01/</c>, lists as
/// <c>&lt;member&gt;</c>) into the SDK-shaped records. Elements are matched by local name, so an answer with another
/// namespace version still reads; members Capstan does not use are skipped.
/// </summary>
internal static class AutoScalingXml
{
    public const string Namespace = "http://autoscaling.amazonaws.com/doc/2011-01-01/";

    public static DescribeAutoScalingGroupsResponse Groups(XElement result) => new()
    {
        AutoScalingGroups = [.. Members(result, "AutoScalingGroups").Select(Group)],
        NextToken = Text(result, "NextToken"),
    };

    public static DescribeScalingActivitiesResponse Activities(XElement result) => new()
    {
        Activities = [.. Members(result, "Activities").Select(Activity)],
        NextToken = Text(result, "NextToken"),
    };

    public static DescribeLaunchConfigurationsResponse LaunchConfigurations(XElement result) => new()
    {
        LaunchConfigurations = [.. Members(result, "LaunchConfigurations").Select(c => new LaunchConfiguration
        {
            LaunchConfigurationName = Text(c, "LaunchConfigurationName") ?? "",
            InstanceType = Text(c, "InstanceType"),
            ImageId = Text(c, "ImageId"),
        })],
        NextToken = Text(result, "NextToken"),
    };

    public static TerminateInstanceInAutoScalingGroupResponse Terminated(XElement result) => new()
    {
        Activity = Child(result, "Activity") is { } activity ? Activity(activity) : null,
    };

    /// <summary>The first child with the local name, or null.</summary>
    public static XElement? Child(XElement parent, string name) => parent.Elements().FirstOrDefault(e => e.Name.LocalName == name);

    /// <summary>The child's text, or null when it is absent.</summary>
    public static string? Text(XElement parent, string name) => Child(parent, name)?.Value;

    private static AutoScalingGroup Group(XElement g) => new()
    {
        AutoScalingGroupName = Text(g, "AutoScalingGroupName") ?? "",
        MinSize = Int(g, "MinSize") ?? 0,
        MaxSize = Int(g, "MaxSize") ?? 0,
        DesiredCapacity = Int(g, "DesiredCapacity") ?? 0,
        AvailabilityZones = [.. Members(g, "AvailabilityZones").Select(z => z.Value)],
        VPCZoneIdentifier = Text(g, "VPCZoneIdentifier"),
        LaunchTemplate = Spec(Child(g, "LaunchTemplate")),
        LaunchConfigurationName = Text(g, "LaunchConfigurationName"),
        MixedInstancesPolicy = Child(g, "MixedInstancesPolicy") is { } mixed ? Mixed(mixed) : null,
        Instances = [.. Members(g, "Instances").Select(i => new Instance
        {
            InstanceId = Text(i, "InstanceId") ?? "",
            InstanceType = Text(i, "InstanceType"),
            AvailabilityZone = Text(i, "AvailabilityZone"),
            LifecycleState = Text(i, "LifecycleState"),
            HealthStatus = Text(i, "HealthStatus"),
            LaunchTemplate = Spec(Child(i, "LaunchTemplate")),
        })],
        Tags = [.. Members(g, "Tags").Select(t => new TagDescription
        {
            Key = Text(t, "Key") ?? "",
            Value = Text(t, "Value") ?? "",
            PropagateAtLaunch = Bool(t, "PropagateAtLaunch") ?? false,
            ResourceId = Text(t, "ResourceId"),
            ResourceType = Text(t, "ResourceType"),
        })],
        Status = Text(g, "Status"),
    };

    private static MixedInstancesPolicy Mixed(XElement m)
    {
        var template = Child(m, "LaunchTemplate");
        var distribution = Child(m, "InstancesDistribution");
        return new MixedInstancesPolicy
        {
            LaunchTemplate = template is null ? null : new LaunchTemplate
            {
                LaunchTemplateSpecification = Spec(Child(template, "LaunchTemplateSpecification")),
                Overrides = [.. Members(template, "Overrides").Select(o => new LaunchTemplateOverrides
                {
                    InstanceType = Text(o, "InstanceType"),
                    WeightedCapacity = Text(o, "WeightedCapacity"),
                    LaunchTemplateSpecification = Spec(Child(o, "LaunchTemplateSpecification")),
                    HasInstanceRequirements = Child(o, "InstanceRequirements") is not null,
                })],
            },
            InstancesDistribution = distribution is null ? null : new InstancesDistribution
            {
                OnDemandBaseCapacity = Int(distribution, "OnDemandBaseCapacity"),
                OnDemandPercentageAboveBaseCapacity = Int(distribution, "OnDemandPercentageAboveBaseCapacity"),
                SpotAllocationStrategy = Text(distribution, "SpotAllocationStrategy"),
            },
        };
    }

    private static LaunchTemplateSpecification? Spec(XElement? s) => s is null ? null : new LaunchTemplateSpecification
    {
        LaunchTemplateId = Text(s, "LaunchTemplateId"),
        LaunchTemplateName = Text(s, "LaunchTemplateName"),
        Version = Text(s, "Version"),
    };

    private static Activity Activity(XElement a) => new()
    {
        ActivityId = Text(a, "ActivityId") ?? "",
        AutoScalingGroupName = Text(a, "AutoScalingGroupName"),
        Description = Text(a, "Description"),
        Cause = Text(a, "Cause"),
        StartTime = Time(a, "StartTime"),
        EndTime = Time(a, "EndTime"),
        StatusCode = Text(a, "StatusCode"),
        StatusMessage = Text(a, "StatusMessage"),
        Progress = Int(a, "Progress"),
    };

    private static IEnumerable<XElement> Members(XElement parent, string list) =>
        Child(parent, list)?.Elements().Where(e => e.Name.LocalName == "member") ?? [];

    private static int? Int(XElement parent, string name) =>
        Text(parent, name) is { } text ? int.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture) : null;

    private static bool? Bool(XElement parent, string name) =>
        Text(parent, name) is { } text ? text.Trim().Equals("true", StringComparison.OrdinalIgnoreCase) : null;

    private static DateTimeOffset? Time(XElement parent, string name) =>
        Text(parent, name) is { Length: > 0 } text
            ? DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal)
            : null;
}
