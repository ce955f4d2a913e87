using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;

namespace Capstan.Benchmarks;

/// <summary>Shared configuration: memory diagnoser, median and p95 columns, plus the custom figures each suite adds.</summary>
public sealed class BenchmarkConfig : ManualConfig
{
    public BenchmarkConfig()
    {
        Add(DefaultConfig.Instance);
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(StatisticColumn.Median, StatisticColumn.P95);
        WithOptions(ConfigOptions.JoinSummary);
    }
}
