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
    public const string Usage = """
        usage: capstan doctor --aws --cluster-name NAME --node-template FILE [--region REGION]
                              [--interruption-queue QUEUE] [--default-instance-profile NAME] [--kubernetes-version X.Y]

          --aws                     check the AWS side (the only check there is today)
          --cluster-name NAME       the cluster's name, as for serve
          --node-template FILE      YAML with an AWSNodeTemplate, or a Provisioner with an inline spec.provider
          --region REGION           default: AWS_REGION, AWS_DEFAULT_REGION, the profile
          --interruption-queue Q    also check this SQS queue (name or URL)
          --default-instance-profile NAME
                                    the instance profile for templates that name none
          --kubernetes-version X.Y  the cluster's version, for the EKS-optimised AMIs (default 1.29)
        Credentials come from the AWS SDK's default chain; AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> redirect calls.
        """;

    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr) =>
        RunAsync(args, stdout, stderr, AwsEndpoints.FromEnvironment(), credentials: null, CancellationToken.None);

    /// <summary>The doctor with its endpoints and credentials given (tests point it at the AWS stand-in).</summary>
    internal static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, AwsEndpoints endpoints, AWSCredentials? credentials, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var (options, file, error) = Parse(args);
        if (error is not null || options is null || file is null)
        {
            await stderr.WriteLineAsync($"capstan doctor: {error}");
            await stderr.WriteLineAsync(Usage);
            return 2;
        }

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

    private static (AwsOptions? Options, string? File, string? Error) Parse(string[] args)
    {
        var options = new AwsOptions();
        string? file = null;
        var aws = false;
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            string? Value() => i + 1 < args.Length ? args[++i] : null;
            switch (name)
            {
                case "--aws":
                    aws = true;
                    break;
                case "--cluster-name":
                    options.ClusterName = Value() ?? "";
                    break;
                case "--node-template":
                    file = Value();
                    break;
                case "--region":
                    options.Region = Value();
                    break;
                case "--interruption-queue":
                    options.InterruptionQueue = Value();
                    break;
                case "--default-instance-profile":
                    options.DefaultInstanceProfile = Value();
                    break;
                case "--kubernetes-version":
                    options.KubernetesVersion = Value() ?? "";
                    break;
                default:
                    return (null, null, $"unknown option '{name}'");
            }
        }

        return !aws ? (null, null, "say what to check: --aws")
            : string.IsNullOrWhiteSpace(file) ? (null, null, "--node-template FILE is required")
            : (options, file, null);
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
