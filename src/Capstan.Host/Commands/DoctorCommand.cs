using System.CommandLine;
using System.Globalization;
using Amazon.Runtime;
using Capstan.Aws;
using Capstan.Aws.Clients;
using Capstan.Aws.Doctor;
using Capstan.Core.Cloud;
using Capstan.Kubernetes.Manifests;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Capstan.Host.Commands;

/// <summary>
/// <c>capstan doctor --aws</c>: checks that this account, region and node template can launch nodes, through the
/// same services <c>capstan serve</c> composes. One row per check; exit 0 when all pass, 1 on any failure, 2 when
/// the arguments or the template file are unusable.
/// </summary>
public static class DoctorCommand
{
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr) =>
        RunAsync(args, stdout, stderr, AwsEndpoints.FromEnvironment(), credentials: null, CancellationToken.None);

    /// <summary>The doctor with its endpoints and credentials given (tests point it at the AWS stand-in).</summary>
    internal static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, AwsEndpoints endpoints, AWSCredentials? credentials, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        return CapstanCli.InvokeAsync(["doctor", .. args], new CliContext(TextReader.Null, stdout, stderr, TimeProvider.System)
        {
            AwsEndpoints = endpoints,
            AwsCredentials = credentials,
            CancellationToken = cancellationToken,
        });
    }

    internal static Command Create(CliContext context)
    {
        Option<string?> Text(string name, string helpName, string description)
        {
            return new Option<string?>(name) { HelpName = helpName, Description = description };
        }

        var aws = new Option<bool>("--aws") { Arity = ArgumentArity.Zero, Description = "check the AWS side (the only check there is today)" };
        var clusterName = Text("--cluster-name", "NAME", "the cluster's name, as for serve");
        var template = Text("--node-template", "FILE", "YAML with an AWSNodeTemplate, or a Provisioner with an inline spec.provider");
        var region = Text("--region", "REGION", "default: AWS_REGION, AWS_DEFAULT_REGION, the profile");
        var queue = Text("--interruption-queue", "QUEUE", "also check this SQS queue (name or URL)");
        var profile = Text("--default-instance-profile", "NAME", "the instance profile for templates that name none");
        var version = Text("--kubernetes-version", "X.Y", "the cluster's version, for the EKS-optimised AMIs (default 1.29)");
        var nodeGroups = new Option<bool>("--node-groups")
        {
            Arity = ArgumentArity.Zero,
            Description = "also list the Auto Scaling groups that carry Cluster Autoscaler's discovery tags for the cluster",
        };
        var command = new Command("doctor", "checks that this AWS account and node template can launch nodes")
        {
            aws, clusterName, template, region, queue, profile, version, nodeGroups,
        };
        command.Validators.Add(result =>
        {
            if (!result.GetValue(aws))
            {
                result.AddError("say what to check: --aws");
            }
            else if (string.IsNullOrWhiteSpace(result.GetValue(template)))
            {
                result.AddError("--node-template FILE is required");
            }
        });
        CapstanCli.AddHelp(command);
        command.SetAction((result, _) =>
        {
            var options = new AwsOptions
            {
                ClusterName = result.GetValue(clusterName) ?? "",
                Region = result.GetValue(region),
                InterruptionQueue = result.GetValue(queue),
                DefaultInstanceProfile = result.GetValue(profile),
            };
            if (result.GetValue(version) is { } kubernetesVersion)
            {
                options.KubernetesVersion = kubernetesVersion;
            }

            return RunAsync(options, result.GetValue(template)!, result.GetValue(nodeGroups), context.Stdout, context.Stderr,
                context.AwsEndpoints ?? AwsEndpoints.FromEnvironment(), context.AwsCredentials, context.CancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(AwsOptions options, string file, bool nodeGroups, TextWriter stdout, TextWriter stderr, AwsEndpoints endpoints, AWSCredentials? credentials, CancellationToken cancellationToken)
    {
        var validation = new AwsOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            foreach (var failure in validation.Failures ?? [])
            {
                await stderr.WriteLineAsync($"capstan doctor: {failure}");
            }

            return 2;
        }

        NodeTemplate nodeTemplate;
        try
        {
            nodeTemplate = ReadTemplate(file);
        }
        catch (Exception e) when (e is ManifestException or IOException or UnauthorizedAccessException or FormatException)
        {
            await stderr.WriteLineAsync($"capstan doctor: {Describe(file, e)}");
            return 2;
        }

        var services = new ServiceCollection().AddLogging().AddMetrics();
        services.AddSingleton<IOptions<AwsOptions>>(Microsoft.Extensions.Options.Options.Create(options));
        services.TryAddSingleton(endpoints);
        services.TryAddSingleton(sp => new AwsClientFactory(options, endpoints, credentials));
        services.AddCapstanAws();
        await using var provider = services.BuildServiceProvider();
        var checks = await provider.GetRequiredService<AwsDoctor>().RunAsync(nodeTemplate, cancellationToken);
        if (nodeGroups)
        {
            checks = [.. checks, .. await provider.GetRequiredService<NodeGroupDoctor>().RunAsync(cancellationToken)];
        }

        await stdout.WriteAsync(Table(checks));
        return checks.All(c => c.Ok) ? 0 : 1;
    }

    /// <summary>The rows as a fixed-width table, fixes under their row, then a one-line tally.</summary>
    public static string Table(IReadOnlyList<DoctorCheck> checks)
    {
        ArgumentNullException.ThrowIfNull(checks);
        var width = Math.Max("CHECK".Length, checks.Count == 0 ? 0 : checks.Max(c => c.Name.Length)) + 2;
        var text = new System.Text.StringBuilder();
        text.Append("CHECK".PadRight(width)).Append("RESULT  DETAIL\n");
        foreach (var check in checks)
        {
            text.Append(check.Name.PadRight(width)).Append(check.Ok ? "OK      " : "FAIL    ").Append(check.Detail).Append('\n');
            if (!check.Ok && check.Fix is not null)
            {
                text.Append(new string(' ', width + 8)).Append("fix: ").Append(check.Fix).Append('\n');
            }
        }

        var failed = checks.Count(c => !c.Ok);
        text.Append(CultureInfo.InvariantCulture, $"{checks.Count} checks: {checks.Count - failed} OK, {failed} FAIL\n");
        return text.ToString();
    }

    private static NodeTemplate ReadTemplate(string file)
    {
        if (Directory.Exists(file))
        {
            throw new IOException($"{file} is a directory");
        }

        var set = ManifestReader.Read([(file, File.ReadAllText(file))]);
        return (set.NodeTemplates.Count > 0 ? set.NodeTemplates[0] : null)
            ?? set.InlineProviders.Values.FirstOrDefault()
            ?? throw new FormatException($"{file} holds no AWSNodeTemplate and no Provisioner with an inline spec.provider");
    }

    private static string Describe(string file, Exception e) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException => $"{file} does not exist",
        UnauthorizedAccessException => $"{file} cannot be read (permission denied)",
        _ => e.Message,
    };
}
