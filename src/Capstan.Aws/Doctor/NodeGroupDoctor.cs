using System.Globalization;
using Capstan.Core.Cloud;
using Capstan.Core.NodeGroups;
using Capstan.Core.Ports;

namespace Capstan.Aws.Doctor;

/// <summary>
/// <c>capstan doctor --aws</c>'s node-group rows, through the same provider the service runs: a summary row, then
/// one row per group with its bounds, where its types come from, the types, zones, capacity type, labels and
/// taints. A group with nothing to plan with, or with tags that could not be read, fails its row; no group at
/// all is not a failure (node groups are optional).
/// </summary>
public sealed class NodeGroupDoctor(INodeGroupProvider groups)
{
    public const string SummaryName = "node groups";

    public async Task<IReadOnlyList<DoctorCheck>> RunAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<NodeGroup> found;
        try
        {
            found = await groups.DiscoverAsync(cancellationToken);
        }
        catch (CloudProviderException e)
        {
            return [DoctorCheck.Failed(SummaryName, e.Message,
                "allow autoscaling:DescribeAutoScalingGroups, autoscaling:DescribeLaunchConfigurations and ec2:DescribeLaunchTemplateVersions")];
        }

        if (found.Count == 0)
        {
            return [DoctorCheck.Pass(SummaryName, "no groups carry the discovery tags")];
        }

        var checks = new List<DoctorCheck>
        {
            DoctorCheck.Pass(SummaryName, $"{found.Count.ToString(CultureInfo.InvariantCulture)} found: {string.Join(", ", found.Select(g => g.Name))}"),
        };
        checks.AddRange(found.Select(Row));
        return checks;
    }

    /// <summary>One group's row.</summary>
    public static DoctorCheck Row(NodeGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        var template = group.Template;
        var parts = new List<string>
        {
            $"min {Text(group.MinSize)}, max {Text(group.MaxSize)}, desired {Text(group.DesiredCapacity)}",
            group.TemplateDescription.Length > 0 ? group.TemplateDescription : "no launch template",
            group.InstanceTypes.Count > 0 ? "types " + string.Join(", ", group.InstanceTypes.Select(t => t.Name)) : "no instance types",
            group.Zones.Count > 0 ? "zones " + string.Join(", ", group.Zones) : "no zones",
            group.CapacityType,
        };
        if (template.Labels.Count > 0)
        {
            parts.Add("labels " + string.Join(", ", template.Labels.Select(l => $"{l.Key}={l.Value}")));
        }

        if (template.Taints.Count > 0)
        {
            parts.Add("taints " + string.Join(", ", template.Taints));
        }

        if (!template.Resources.IsEmpty)
        {
            parts.Add("resources " + string.Join(", ", template.Resources.ToStrings().Select(r => $"{r.Key}={r.Value}")));
        }

        var name = "node group " + group.Name;
        var detail = string.Join("; ", parts);
        if (group.InstanceTypes.Count == 0)
        {
            return DoctorCheck.Failed(name, detail + "; it cannot be scaled up (the log says why)",
                "give the launch template an instance type, list types in the mixed instances policy's overrides, or use types EC2 offers in the group's zones");
        }

        return template.Problems.Count > 0
            ? DoctorCheck.Failed(name, detail + "; " + string.Join("; ", template.Problems), "fix the group's k8s.io/cluster-autoscaler/node-template/ tags")
            : DoctorCheck.Pass(name, detail);
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
