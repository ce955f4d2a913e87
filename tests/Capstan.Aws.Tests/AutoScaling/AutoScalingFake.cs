using System.Globalization;
using System.Net;
using System.Text;
using System.Xml;
using Capstan.Aws.AutoScaling;
using Capstan.Sandbox.Aws;

namespace Capstan.Aws.Tests.AutoScaling;

/// <summary>
/// Auto Scaling behind the <see cref="AwsStandIn"/> for these tests: groups as records, answered in the Query API's
/// XML (namespace 2011-01-01, lists as <c>member</c>, <c>XResponse/XResult</c>, <c>ResponseMetadata/RequestId</c>),
/// tag-key filters ANDed, paging by <c>MaxRecords</c>, and errors in the <c>ErrorResponse</c> envelope.
/// </summary>
public sealed class AutoScalingFake : IAwsService
{
    public const string Ns = "http://autoscaling.amazonaws.com/doc/2011-01-01/";

    private readonly List<AutoScalingGroup> _groups = [];
    private readonly List<LaunchConfiguration> _configurations = [];
    private readonly Lock _gate = new();

    public string Name => "autoscaling";

    public IReadOnlyList<AutoScalingGroup> Groups
    {
        get
        {
            lock (_gate)
            {
                return [.. _groups];
            }
        }
    }

    public AutoScalingFake Add(AutoScalingGroup group)
    {
        lock (_gate)
        {
            _groups.Add(group);
        }

        return this;
    }

    public AutoScalingFake Add(LaunchConfiguration configuration)
    {
        lock (_gate)
        {
            _configurations.Add(configuration);
        }

        return this;
    }

    public AutoScalingGroup Group(string name) => Groups.Single(g => g.AutoScalingGroupName == name);

    public ValueTask<AwsReply> HandleAsync(AwsCall request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_gate)
        {
            return ValueTask.FromResult(request.Action switch
            {
                "DescribeAutoScalingGroups" => DescribeGroups(request),
                "SetDesiredCapacity" => SetDesired(request),
                "TerminateInstanceInAutoScalingGroup" => Terminate(request),
                "DescribeScalingActivities" => Response(request.Action, w => Members(w, "Activities", [Activity("a-1", "Launching a new EC2 instance: i-0aaa")], WriteActivity)),
                "DescribeLaunchConfigurations" => DescribeConfigurations(request),
                _ => AwsReply.QueryError(HttpStatusCode.BadRequest, Ns, "InvalidAction", $"Could not find operation {request.Action} for version 2011-01-01"),
            });
        }
    }

    private AwsReply DescribeGroups(AwsCall call)
    {
        var names = Members(call, "AutoScalingGroupNames");
        var filters = new List<(string Name, IReadOnlyList<string> Values)>();
        for (var i = 1; call.Get($"Filters.member.{i}.Name") is { } name; i++)
        {
            filters.Add((name, Members(call, $"Filters.member.{i}.Values")));
        }

        var matching = _groups.Where(g => (names.Count == 0 || names.Contains(g.AutoScalingGroupName))
            && filters.All(f => f.Name != "tag-key" || g.Tags.Any(t => f.Values.Contains(t.Key)))).ToList();
        var start = call.Get("NextToken") is { } token ? int.Parse(token[4..], CultureInfo.InvariantCulture) : 0;
        var size = call.Get("MaxRecords") is { } max ? int.Parse(max, CultureInfo.InvariantCulture) : 50;
        if (size is < 1 or > 100)
        {
            return AwsReply.QueryError(HttpStatusCode.BadRequest, Ns, "ValidationError", "1 validation error detected: Value at 'maxRecords' failed to satisfy constraint");
        }

        var page = matching.Skip(start).Take(size).ToList();
        var next = start + size < matching.Count ? "page" + (start + size).ToString(CultureInfo.InvariantCulture) : null;
        return Response("DescribeAutoScalingGroups", w =>
        {
            Members(w, "AutoScalingGroups", page, WriteGroup);
            Value(w, "NextToken", next);
        });
    }

    private AwsReply SetDesired(AwsCall call)
    {
        var name = call.Get("AutoScalingGroupName") ?? "";
        var index = _groups.FindIndex(g => g.AutoScalingGroupName == name);
        if (index < 0)
        {
            return AwsReply.QueryError(HttpStatusCode.BadRequest, Ns, "ValidationError", $"AutoScalingGroup name not found - no such group: {name}");
        }

        var desired = int.Parse(call.Get("DesiredCapacity") ?? "0", CultureInfo.InvariantCulture);
        var group = _groups[index];
        if (desired > group.MaxSize || desired < group.MinSize)
        {
            return AwsReply.QueryError(HttpStatusCode.BadRequest, Ns, "ValidationError",
                $"New SetDesiredCapacity value {desired} is above max value {group.MaxSize} for the AutoScalingGroup.");
        }

        _groups[index] = group with { DesiredCapacity = desired };
        return Response("SetDesiredCapacity", null);
    }

    private AwsReply Terminate(AwsCall call)
    {
        var id = call.Get("InstanceId") ?? "";
        var index = _groups.FindIndex(g => g.Instances.Any(i => i.InstanceId == id));
        if (index < 0)
        {
            return AwsReply.QueryError(HttpStatusCode.BadRequest, Ns, "ValidationError", $"No managed instance found for instance ID: {id}.");
        }

        var group = _groups[index];
        var decrement = call.Get("ShouldDecrementDesiredCapacity") == "true";
        _groups[index] = group with
        {
            Instances = [.. group.Instances.Where(i => i.InstanceId != id)],
            DesiredCapacity = decrement ? group.DesiredCapacity - 1 : group.DesiredCapacity,
        };
        var activity = Activity("a-terminate-" + id, $"Terminating EC2 instance: {id}");
        return Response("TerminateInstanceInAutoScalingGroup", w =>
        {
            w.WriteStartElement("Activity", Ns);
            WriteActivity(w, activity);
            w.WriteEndElement();
        });
    }

    private AwsReply DescribeConfigurations(AwsCall call)
    {
        var names = Members(call, "LaunchConfigurationNames");
        var found = _configurations.Where(c => names.Count == 0 || names.Contains(c.LaunchConfigurationName)).ToList();
        return Response("DescribeLaunchConfigurations", w => Members(w, "LaunchConfigurations", found, (x, c) =>
        {
            Value(x, "LaunchConfigurationName", c.LaunchConfigurationName);
            Value(x, "ImageId", c.ImageId ?? "ami-0123");
            Value(x, "InstanceType", c.InstanceType);
            Value(x, "CreatedTime", "2026-11-01T10:00:00.000Z");
        }));
    }

    private static Activity Activity(string id, string description) => new()
    {
        ActivityId = id,
        AutoScalingGroupName = "ng",
        Description = description,
        Cause = "At 2026-12-01T10:00:00Z an instance was taken out of service in response to a user request.",
        StartTime = new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero),
        StatusCode = "InProgress",
        Progress = 0,
    };

    private static IReadOnlyList<string> Members(AwsCall call, string prefix)
    {
        var values = new List<string>();
        for (var i = 1; call.Get($"{prefix}.member.{i}") is { } value; i++)
        {
            values.Add(value);
        }

        return values;
    }

    private static AwsReply Response(string action, Action<XmlWriter>? result)
    {
        var text = new StringBuilder();
        using (var w = XmlWriter.Create(text, new XmlWriterSettings { OmitXmlDeclaration = true }))
        {
            w.WriteStartElement(action + "Response", Ns);
            if (result is not null)
            {
                w.WriteStartElement(action + "Result", Ns);
                result(w);
                w.WriteEndElement();
            }

            w.WriteStartElement("ResponseMetadata", Ns);
            w.WriteElementString("RequestId", Ns, "7c6e177f-f082-11e1-ac58-3714bEXAMPLE");
            w.WriteEndElement();
            w.WriteEndElement();
        }

        return AwsReply.Xml(text.ToString());
    }

    private static void Value(XmlWriter w, string name, string? value)
    {
        if (value is not null)
        {
            w.WriteElementString(name, Ns, value);
        }
    }

    private static void Value(XmlWriter w, string name, int? value) => Value(w, name, value?.ToString(CultureInfo.InvariantCulture));

    private static void Members<T>(XmlWriter w, string list, IEnumerable<T> items, Action<XmlWriter, T> write)
    {
        w.WriteStartElement(list, Ns);
        foreach (var item in items)
        {
            w.WriteStartElement("member", Ns);
            write(w, item);
            w.WriteEndElement();
        }

        w.WriteEndElement();
    }

    private static void Spec(XmlWriter w, string element, LaunchTemplateSpecification? spec)
    {
        if (spec is null)
        {
            return;
        }

        w.WriteStartElement(element, Ns);
        Value(w, "LaunchTemplateId", spec.LaunchTemplateId);
        Value(w, "LaunchTemplateName", spec.LaunchTemplateName);
        Value(w, "Version", spec.Version);
        w.WriteEndElement();
    }

    private static void WriteGroup(XmlWriter w, AutoScalingGroup g)
    {
        Value(w, "AutoScalingGroupName", g.AutoScalingGroupName);
        Value(w, "AutoScalingGroupARN", $"arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:1a2b3c4d:autoScalingGroupName/{g.AutoScalingGroupName}");
        Value(w, "LaunchConfigurationName", g.LaunchConfigurationName);
        Spec(w, "LaunchTemplate", g.LaunchTemplate);
        if (g.MixedInstancesPolicy is { } mixed)
        {
            w.WriteStartElement("MixedInstancesPolicy", Ns);
            if (mixed.LaunchTemplate is { } template)
            {
                w.WriteStartElement("LaunchTemplate", Ns);
                Spec(w, "LaunchTemplateSpecification", template.LaunchTemplateSpecification);
                Members(w, "Overrides", template.Overrides, (x, o) =>
                {
                    Value(x, "InstanceType", o.InstanceType);
                    Value(x, "WeightedCapacity", o.WeightedCapacity);
                    Spec(x, "LaunchTemplateSpecification", o.LaunchTemplateSpecification);
                });
                w.WriteEndElement();
            }

            if (mixed.InstancesDistribution is { } d)
            {
                w.WriteStartElement("InstancesDistribution", Ns);
                Value(w, "OnDemandAllocationStrategy", "prioritized");
                Value(w, "OnDemandBaseCapacity", d.OnDemandBaseCapacity);
                Value(w, "OnDemandPercentageAboveBaseCapacity", d.OnDemandPercentageAboveBaseCapacity);
                Value(w, "SpotAllocationStrategy", d.SpotAllocationStrategy);
                w.WriteEndElement();
            }

            w.WriteEndElement();
        }

        Value(w, "MinSize", g.MinSize);
        Value(w, "MaxSize", g.MaxSize);
        Value(w, "DesiredCapacity", g.DesiredCapacity);
        Value(w, "DefaultCooldown", 300);
        Members(w, "AvailabilityZones", g.AvailabilityZones, (x, z) => x.WriteString(z));
        Members(w, "LoadBalancerNames", Array.Empty<string>(), (x, n) => x.WriteString(n));
        Value(w, "HealthCheckType", "EC2");
        Members(w, "Instances", g.Instances, (x, i) =>
        {
            Value(x, "InstanceId", i.InstanceId);
            Value(x, "InstanceType", i.InstanceType);
            Value(x, "AvailabilityZone", i.AvailabilityZone);
            Value(x, "LifecycleState", i.LifecycleState);
            Value(x, "HealthStatus", i.HealthStatus);
            Spec(x, "LaunchTemplate", i.LaunchTemplate);
            Value(x, "ProtectedFromScaleIn", "false");
        });
        Value(w, "CreatedTime", "2026-11-01T10:00:00.000Z");
        Value(w, "VPCZoneIdentifier", g.VPCZoneIdentifier);
        Members(w, "Tags", g.Tags, (x, t) =>
        {
            Value(x, "ResourceId", g.AutoScalingGroupName);
            Value(x, "ResourceType", "auto-scaling-group");
            Value(x, "Key", t.Key);
            Value(x, "Value", t.Value);
            Value(x, "PropagateAtLaunch", t.PropagateAtLaunch ? "true" : "false");
        });
        Value(w, "Status", g.Status);
    }

    private static void WriteActivity(XmlWriter w, Activity a)
    {
        Value(w, "ActivityId", a.ActivityId);
        Value(w, "AutoScalingGroupName", a.AutoScalingGroupName);
        Value(w, "Description", a.Description);
        Value(w, "Cause", a.Cause);
        Value(w, "StartTime", a.StartTime?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        Value(w, "StatusCode", a.StatusCode);
        Value(w, "Progress", a.Progress);
    }
}
