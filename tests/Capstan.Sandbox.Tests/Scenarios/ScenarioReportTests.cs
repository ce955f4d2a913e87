using System.Text.Json;
using Capstan.Sandbox.Scenarios;

namespace Capstan.Sandbox.Tests.Scenarios;

/// <summary>The report's JSON shape (names, order, nesting) and the nearest-rank percentiles behind it.</summary>
public sealed class ScenarioReportTests
{
    private static readonly ScenarioReport s_report = new()
    {
        Scenario = "tutorial",
        Passed = false,
        NodesLaunched = 3,
        NodesTerminated = 1,
        PodsBound = 10,
        MaxNodes = 3,
        PodTimeToBindSeconds = new(31.5, 64),
        CostUsd = 0.1234m,
        LeakedInstances = 0,
        DuplicateLaunches = 0,
        FailedExpectations = ["step 5 (line 12): expected 2 nodes, found 3"],
    };

    [Fact]
    public void ToJson_HasExactlyTheDocumentedShape()
    {
        Assert.Equal("""
            {
              "scenario": "tutorial",
              "passed": false,
              "nodesLaunched": 3,
              "nodesTerminated": 1,
              "podsBound": 10,
              "maxNodes": 3,
              "podTimeToBindSeconds": {
                "p50": 31.5,
                "p99": 64
              },
              "costUsd": 0.1234,
              "leakedInstances": 0,
              "duplicateLaunches": 0,
              "failedExpectations": [
                "step 5 (line 12): expected 2 nodes, found 3"
              ]
            }
            """.ReplaceLineEndings("\n"), s_report.ToJson().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void WriteTo_WritesTheJsonIntoANewFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"capstan-report-{Guid.NewGuid():N}");
        try
        {
            var path = Path.Combine(folder, "out", "report.json");

            s_report.WriteTo(path);

            using var written = JsonDocument.Parse(File.ReadAllText(path));
            Assert.Equal("tutorial", written.RootElement.GetProperty("scenario").GetString());
            Assert.Equal(64, written.RootElement.GetProperty("podTimeToBindSeconds").GetProperty("p99").GetDouble());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void ToJson_Defaults_AreZeroAndEmpty()
    {
        using var json = JsonDocument.Parse(new ScenarioReport { Scenario = "x", Passed = true }.ToJson());

        Assert.Equal(0, json.RootElement.GetProperty("podTimeToBindSeconds").GetProperty("p50").GetDouble());
        Assert.Equal(0, json.RootElement.GetProperty("failedExpectations").GetArrayLength());
    }

    [Theory]
    [InlineData(50, 5)]
    [InlineData(99, 10)]
    [InlineData(100, 10)]
    [InlineData(10, 1)]
    [InlineData(11, 2)]
    [InlineData(0, 1)]
    public void Of_TenValues_IsTheNearestRank(double p, double expected) =>
        Assert.Equal(expected, Percentiles.Of([7, 3, 10, 1, 5, 2, 9, 4, 8, 6], p));

    [Fact]
    public void Of_OneValueAndNone()
    {
        Assert.Equal(4.2, Percentiles.Of([4.2], 99));
        Assert.Equal(0, Percentiles.Of([], 50));
        Assert.Equal(new TimeToBind(2, 3), TimeToBind.Of([3, 1, 2]));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(100.1)]
    [InlineData(double.NaN)]
    public void Of_PercentOutOfRange_Throws(double p) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Percentiles.Of([1], p));
}
