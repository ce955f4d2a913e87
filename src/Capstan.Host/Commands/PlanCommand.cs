using System.Globalization;
using Capstan.Aws.Catalog;
using Capstan.Core.Packing;
using Capstan.Host.Planning;

namespace Capstan.Host.Commands;

/// <summary>
/// <c>capstan plan [--catalog FILE] [--format table|json] [--scale NAME=N] MANIFEST...</c>: the offline
/// what-if planner. Exit 0 when it planned (even with unschedulable pods), 2 on unusable input.
/// </summary>
public static class PlanCommand
{
    public const string Usage = "capstan plan [--catalog FILE] [--format table|json] [--scale NAME=N]... MANIFEST...";

    public static int Run(IReadOnlyList<string> args, TextReader stdin, TextWriter stdout, TextWriter stderr, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdin);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        ArgumentNullException.ThrowIfNull(time);
        string? catalogPath = null;
        var format = "table";
        var scale = new Dictionary<string, int>(StringComparer.Ordinal);
        var files = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--catalog" when i + 1 < args.Count:
                    catalogPath = args[++i];
                    break;
                case "--format" when i + 1 < args.Count:
                    format = args[++i];
                    if (format is not ("table" or "json"))
                    {
                        return Fail(stderr, $"--format must be table or json, not '{format}'");
                    }

                    break;
                case "--scale" when i + 1 < args.Count:
                    var parts = args[++i].Split('=', 2);
                    if (parts.Length != 2 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var replicas))
                    {
                        return Fail(stderr, $"--scale takes NAME=N, not '{args[i]}'");
                    }

                    scale[parts[0]] = replicas;
                    break;
                case "-h" or "--help":
                    stdout.WriteLine(Usage);
                    return 0;
                case var option when option.StartsWith("--", StringComparison.Ordinal):
                    return Fail(stderr, $"unknown or incomplete option '{option}'");
                default:
                    files.Add(args[i]);
                    break;
            }
        }

        if (files.Count == 0)
        {
            return Fail(stderr, "no manifest given");
        }

        InstanceCatalog catalog;
        try
        {
            catalog = catalogPath is null ? InstanceCatalog.BuiltIn : InstanceCatalog.LoadFile(catalogPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            return Fail(stderr, ex.Message);
        }

        if (PlanManifests.Read(files, stdin, scale, stderr) is not { } manifests)
        {
            return 2;
        }

        if (manifests.Provisioners.Count == 0)
        {
            stderr.WriteLine("capstan plan: note: no Provisioner in the manifests; every pod will be unschedulable");
        }

        stderr.WriteLine($"Found {manifests.Pods.Count} provisionable pod(s)");
        var plan = Packer.Solve(PlanBuilder.Snapshot(manifests, catalog, time.GetUtcNow()));
        stdout.Write(format == "json" ? PlanWriter.Json(plan) : PlanWriter.Table(plan));
        return 0;
    }

    private static int Fail(TextWriter stderr, string message)
    {
        stderr.WriteLine($"capstan plan: {message}");
        stderr.WriteLine($"usage: {Usage}");
        return 2;
    }
}
