using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Capstan.Core.Packing;

namespace Capstan.Benchmarks;

/// <summary>Adds pods/s, nodes and plan-cost-to-LP-bound columns to the packing benchmarks.</summary>
public sealed class PackingConfig : ManualConfig
{
    public PackingConfig()
    {
        AddColumn(new FigureColumn("pods/s", (pods, _, mean) => (pods / (mean / 1e9)).ToString("N0", CultureInfo.InvariantCulture)));
        AddColumn(new FigureColumn("nodes", (_, plan, _) => plan.NodeClaims.Count.ToString(CultureInfo.InvariantCulture)));
        AddColumn(new FigureColumn("cost/LP", (_, plan, _) =>
            (plan.LowerBoundPricePerHour > 0 ? plan.TotalPricePerHour / plan.LowerBoundPricePerHour : 0).ToString("0.000", CultureInfo.InvariantCulture)));
        AddColumn(new FigureColumn("unsched", (_, plan, _) => plan.Unschedulable.Count.ToString(CultureInfo.InvariantCulture)));
    }

    /// <summary>Called from GlobalSetup (in the benchmark's own process): leaves the case's plan figures in a temp file for the columns.</summary>
    public static void Record(object benchmark, int pods, Plan plan)
    {
        ArgumentNullException.ThrowIfNull(benchmark);
        // BenchmarkDotNet runs a generated subclass (Runnable_N); the case is named after the declared class.
        var type = benchmark.GetType();
        while (type.BaseType is { } parent && parent != typeof(object) && type.Name.StartsWith("Runnable_", StringComparison.Ordinal))
        {
            type = parent;
        }

        var key = Key(type.Name, benchmark.GetType().GetProperties().Where(p => p.GetCustomAttributes(typeof(BenchmarkDotNet.Attributes.ParamsAttribute), false).Length > 0)
            .Select(p => $"{p.Name}={p.GetValue(benchmark)}"));
        File.WriteAllText(Path.Combine(Path.GetTempPath(), $"capstan-bench-{key}.txt"),
            $"{pods}\t{plan.NodeClaims.Count}\t{plan.TotalPricePerHour.ToString(CultureInfo.InvariantCulture)}\t{plan.LowerBoundPricePerHour.ToString(CultureInfo.InvariantCulture)}\t{plan.Unschedulable.Count}");
    }

    private static string Key(string type, IEnumerable<string> parameters) => type + "-" + string.Join("-", parameters);

    private sealed class FigureColumn(string name, Func<int, Plan, double, string> figure) : IColumn
    {
        public string Id => "capstan-" + name;

        public string ColumnName => name;

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => name switch
        {
            "pods/s" => "pods planned per second (pods / mean Solve time)",
            "nodes" => "node claims in the plan",
            "cost/LP" => "plan price per hour divided by the LP relaxation bound",
            _ => "pods left unschedulable",
        };

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var key = Key(benchmarkCase.Descriptor.Type.Name, benchmarkCase.Parameters.Items.Select(p => $"{p.Name}={p.Value}"));
            var file = Path.Combine(Path.GetTempPath(), $"capstan-bench-{key}.txt");
            var report = summary[benchmarkCase];
            if (!File.Exists(file) || report?.ResultStatistics is null)
            {
                return "-";
            }

            var parts = File.ReadAllText(file).Split('\t');
            var pods = int.Parse(parts[0], CultureInfo.InvariantCulture);
            var plan = new Plan
            {
                NodeClaims = new NodeClaimPlan[int.Parse(parts[1], CultureInfo.InvariantCulture)],
                ExistingNodes = [],
                Unschedulable = new UnschedulablePod[int.Parse(parts[4], CultureInfo.InvariantCulture)],
                TotalPricePerHour = double.Parse(parts[2], CultureInfo.InvariantCulture),
                LowerBoundPricePerHour = double.Parse(parts[3], CultureInfo.InvariantCulture),
            };
            return figure(pods, plan, report.ResultStatistics.Mean);
        }

        public bool IsAvailable(Summary summary) => true;

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    }
}
