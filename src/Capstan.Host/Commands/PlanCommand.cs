using System.CommandLine;
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
    /// <summary>The flags and files of one run, as parsed.</summary>
    internal sealed record PlanOptions(string? CatalogPath, string Format, Dictionary<string, int> Scale, IReadOnlyList<string> Files);

    public static int Run(IReadOnlyList<string> args, TextReader stdin, TextWriter stdout, TextWriter stderr, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdin);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        ArgumentNullException.ThrowIfNull(time);
        return CapstanCli.Invoke(["plan", .. args], new CliContext(stdin, stdout, stderr, time));
    }

    /// <summary>The <c>plan</c> command: its options, their checks, and the run bound to <paramref name="context"/>.</summary>
    internal static Command Create(CliContext context)
    {
        var catalog = new Option<string?>("--catalog")
        {
            HelpName = "FILE",
            Description = "instance types and prices (JSON) instead of the built-in catalog",
        };
        var format = new Option<string>("--format")
        {
            HelpName = "table|json",
            Description = "the plan as a table or as JSON",
            DefaultValueFactory = _ => "table",
        };
        format.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<string>();
            if (value is not ("table" or "json"))
            {
                result.AddError($"--format must be table or json, not '{value}'");
            }
        });
        var scale = new Option<string[]>("--scale")
        {
            HelpName = "NAME=N",
            Description = "set the replicas of the workload NAME to N (repeatable)",
        };
        scale.Validators.Add(result =>
        {
            foreach (var value in result.GetValueOrDefault<string[]>() ?? [])
            {
                if (ParseScale(value) is null)
                {
                    result.AddError($"--scale takes NAME=N, not '{value}'");
                    return;
                }
            }
        });
        var files = new Argument<string[]>("MANIFEST")
        {
            Arity = ArgumentArity.ZeroOrMore,
            Description = "YAML files with Provisioners, node templates, workloads, pods and nodes; - reads stdin",
        };
        var command = new Command("plan", "offline what-if plan of pending workloads: the nodes Capstan would launch")
        {
            catalog, format, scale, files,
        };
        command.Validators.Add(result =>
        {
            if ((result.GetValue(files) ?? []).Length == 0)
            {
                result.AddError("no manifest given");
            }
        });
        CapstanCli.AddHelp(command);
        command.SetAction(result =>
        {
            var replicas = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var (name, count) in (result.GetValue(scale) ?? []).Select(v => ParseScale(v)!.Value))
            {
                replicas[name] = count;
            }

            return Run(new PlanOptions(result.GetValue(catalog), result.GetValue(format) ?? "table", replicas, result.GetValue(files) ?? []),
                context.Stdin, context.Stdout, context.Stderr, context.Time);
        });
        return command;
    }

    private static (string Name, int Replicas)? ParseScale(string value)
    {
        var parts = value.Split('=', 2);
        return parts.Length == 2 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var replicas)
            ? (parts[0], replicas)
            : null;
    }

    private static int Run(PlanOptions options, TextReader stdin, TextWriter stdout, TextWriter stderr, TimeProvider time)
    {
        var (catalogPath, format, scale, files) = options;

        // The catalog loads on another core while the manifests are read. What the reading says waits for the
        // catalog: a catalog that cannot be read is then the only thing reported, as when it was loaded first.
        var loading = Task.Run(() => catalogPath is null ? InstanceCatalog.BuiltIn : InstanceCatalog.LoadFile(catalogPath));
        var messages = new StringWriter(CultureInfo.InvariantCulture);
        var manifests = PlanManifests.Read(files, stdin, scale, messages);
        InstanceCatalog catalog;
        try
        {
            catalog = loading.GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            return Fail(stderr, ex.Message);
        }

        stderr.Write(messages.ToString());
        if (manifests is null)
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
        return 2;
    }
}
