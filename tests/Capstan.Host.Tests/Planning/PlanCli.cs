using Microsoft.Extensions.Time.Testing;

namespace Capstan.Host.Tests.Planning;

/// <summary>What the plan tests share: the shipped examples, a Deployment manifest, and the CLI run with a fixed clock.</summary>
internal static class PlanCli
{
    private static readonly string s_examples = Path.Combine(AppContext.BaseDirectory, "Examples");

    internal static string Example(string name) => Path.Combine(s_examples, name);

    internal static string Deployment(string name, int replicas, string cpu, string memory = "1Gi", string? nodeSelector = null) => $"""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {name}
        spec:
          replicas: {replicas}
          selector:
            matchLabels:
              app: {name}
          template:
            metadata:
              labels:
                app: {name}
            spec:
              {(nodeSelector is null ? "" : "nodeSelector:\n            " + nodeSelector)}
              containers:
                - name: main
                  image: app
                  resources:
                    requests:
                      cpu: {cpu}
                      memory: {memory}
        """;

    internal static async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 0, 0, 0, TimeSpan.Zero));
        var code = await CapstanCli.RunAsync(args, TextReader.Null, stdout, stderr, time);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
