using System.Globalization;
using System.Text;
using System.Text.Json;
using Capstan.Core.Packing;
using Capstan.Core.Scheduling;

namespace Capstan.Host.Planning;

/// <summary>Prints a plan as the documented JSON shape or as a table for people.</summary>
public static class PlanWriter
{
    /// <summary>How many pod names the table prints for each unschedulable reason.</summary>
    public const int UnschedulableNamesShown = 3;

    public static string Json(Plan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteStartArray("nodeClaims");
            foreach (var claim in plan.NodeClaims)
            {
                var first = claim.Cheapest;
                w.WriteStartObject();
                w.WriteString("name", claim.Name);
                w.WriteString("provisioner", claim.Provisioner);
                w.WriteString("instanceType", first.InstanceType.Name);
                w.WriteString("zone", first.Offering.Zone);
                w.WriteString("capacityType", first.Offering.CapacityType);
                w.WriteNumber("pricePerHour", first.Offering.PricePerHour);
                w.WriteStartArray("instanceTypeOptions");
                foreach (var option in claim.InstanceTypeOptions)
                {
                    w.WriteStringValue(option.InstanceType.Name);
                }

                w.WriteEndArray();
                w.WriteStartObject("labels");
                foreach (var (key, value) in claim.Labels)
                {
                    w.WriteString(key, value);
                }

                w.WriteEndObject();
                w.WriteStartArray("taints");
                foreach (var taint in claim.Taints)
                {
                    w.WriteStartObject();
                    w.WriteString("key", taint.Key);
                    w.WriteString("value", taint.Value);
                    w.WriteString("effect", Taint.EffectName(taint.Effect));
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteStartArray("pods");
                foreach (var pod in claim.Pods)
                {
                    w.WriteStringValue(pod.Key);
                }

                w.WriteEndArray();
                w.WriteStartObject("requests");
                foreach (var (name, value) in claim.Requests.ToStrings())
                {
                    w.WriteString(name, value);
                }

                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("existingNodes");
            foreach (var node in plan.ExistingNodes)
            {
                w.WriteStartObject();
                w.WriteString("name", node.NodeName);
                w.WriteStartArray("pods");
                foreach (var pod in node.Pods)
                {
                    w.WriteStringValue(pod.Key);
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("unschedulable");
            foreach (var u in plan.Unschedulable)
            {
                w.WriteStartObject();
                w.WriteString("pod", u.Pod.Key);
                w.WriteString("reason", u.Reason);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteNumber("totalPricePerHour", plan.TotalPricePerHour);
            w.WriteNumber("lowerBoundPricePerHour", plan.LowerBoundPricePerHour);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + Environment.NewLine;
    }

    public static string Table(Plan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var sb = new StringBuilder();
        var pods = plan.NodeClaims.Sum(c => c.Pods.Count);
        sb.AppendLine(CultureInfo.InvariantCulture, $"Computed {plan.NodeClaims.Count} new node(s) will fit {pods} pod(s)");
        if (plan.NodeClaims.Count > 0)
        {
            var rows = plan.NodeClaims.Select(c => new[]
            {
                c.Name, c.Provisioner, c.Cheapest.InstanceType.Name, c.Cheapest.Offering.Zone, c.Cheapest.Offering.CapacityType,
                Price(c.Cheapest.Offering.PricePerHour) + (c.Cheapest.Offering.PriceIsEstimate ? "*" : ""),
                c.Pods.Count.ToString(CultureInfo.InvariantCulture),
                $"cpu {c.Requests.Cpu.ToDecimalString()}/{c.Cheapest.InstanceType.Allocatable.Cpu.ToDecimalString()}, "
                    + $"memory {c.Requests.Memory.ToReadableBytes()}/{c.Cheapest.InstanceType.Allocatable.Memory.ToReadableBytes()}",
                $"{c.InstanceTypeOptions.Count}",
            }).ToList();
            AppendTable(sb, ["NODE CLAIM", "PROVISIONER", "INSTANCE TYPE", "ZONE", "CAPACITY", "$/HOUR", "PODS", "REQUESTS/ALLOCATABLE", "OPTIONS"], rows);
        }

        foreach (var node in plan.ExistingNodes)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"Existing node {node.NodeName} takes {node.Pods.Count} pod(s)");
        }

        // One line per reason, most pods first, naming the first few; --format json lists every pod.
        foreach (var group in plan.Unschedulable.GroupBy(u => u.Reason, StringComparer.Ordinal).OrderByDescending(g => g.Count()))
        {
            var names = group.Take(UnschedulableNamesShown).Select(u => u.Pod.Key).ToList();
            if (group.Count() > names.Count)
            {
                names.Add("...");
            }

            sb.AppendLine(CultureInfo.InvariantCulture, $"Unschedulable {group.Count()} pod(s): {group.Key} ({string.Join(", ", names)})");
        }

        sb.AppendLine(CultureInfo.InvariantCulture, $"Total {Price(plan.TotalPricePerHour)}/hour (LP lower bound {Price(plan.LowerBoundPricePerHour)}/hour)");
        if (plan.NodeClaims.Any(c => c.Cheapest.Offering.PriceIsEstimate))
        {
            sb.AppendLine("* spot price is an estimate (offline catalog: a fixed fraction of on-demand between 35% and 50%)");
        }

        return sb.ToString();
    }

    private static string Price(double price) => "$" + price.ToString("0.0000", CultureInfo.InvariantCulture);

    private static void AppendTable(StringBuilder sb, string[] header, List<string[]> rows)
    {
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Max(r => r[i].Length))).ToArray();
        sb.AppendLine(string.Join("  ", header.Select((h, i) => h.PadRight(widths[i]))).TrimEnd());
        foreach (var row in rows)
        {
            sb.AppendLine(string.Join("  ", row.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
        }
    }
}
