using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using Capstan.Tls;

namespace Capstan.Host.Commands;

/// <summary>
/// <c>capstan certs</c> (what <c>make certs</c> runs): makes a CA, Capstan's serving certificate and kube-scheduler's
/// client certificate as PEM files, then writes the CA into the manifests that must trust it: <c>caBundle</c> of every
/// webhook in <c>webhooks.yaml</c> and <c>caData</c> wherever a scheduler configuration under <c>scheduler/</c> has that
/// key. Exit 0 when done, 1 when a file cannot be written, 2 for bad arguments.
/// </summary>
public static partial class CertsCommand
{
    /// <summary>Runs <c>capstan certs</c> with <paramref name="args"/> (the flags after the command name).</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        ArgumentNullException.ThrowIfNull(time);
        return CapstanCli.Invoke(["certs", .. args], new CliContext(TextReader.Null, stdout, stderr, time));
    }

    /// <summary>The <c>certs</c> command: its options, their checks, and the run bound to <paramref name="context"/>.</summary>
    internal static Command Create(CliContext context)
    {
        var defaults = new CertsOptions();
        var outDir = new Option<string>("--out")
        {
            HelpName = "DIR",
            Description = "where the PEM files go: ca.crt ca.key tls.crt tls.key client.crt client.key",
            DefaultValueFactory = _ => defaults.Out,
        };
        outDir.Validators.Add(r =>
        {
            if (string.IsNullOrEmpty(r.GetValueOrDefault<string>()))
            {
                r.AddError("--out needs a folder");
            }
        });
        var days = new Option<string>("--days")
        {
            HelpName = "N",
            Description = "how long the certificates are valid, in days (1 to 3650)",
            DefaultValueFactory = _ => defaults.Days.ToString(CultureInfo.InvariantCulture),
        };
        days.Validators.Add(r =>
        {
            if (!int.TryParse(r.GetValueOrDefault<string>(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n is < 1 or > 3650)
            {
                r.AddError("--days needs a whole number of days from 1 to 3650");
            }
        });
        var ns = new Option<string>("--namespace")
        {
            HelpName = "NS",
            Description = "namespace of the capstan Service, for the serving certificate's names",
            DefaultValueFactory = _ => defaults.Namespace,
        };
        ns.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string>() is not { } value || !DnsLabel().IsMatch(value))
            {
                r.AddError("--namespace needs a namespace name (lower-case letters, digits and '-', at most 63)");
            }
        });
        var manifests = new Option<string>("--manifests")
        {
            HelpName = "DIR",
            Description = "write the CA as caBundle into DIR/webhooks.yaml and as caData into DIR/scheduler/*.yaml where that key is present",
            DefaultValueFactory = _ => defaults.Manifests!,
        };
        manifests.Validators.Add(r =>
        {
            if (string.IsNullOrEmpty(r.GetValueOrDefault<string>()))
            {
                r.AddError("--manifests needs a folder");
            }
        });
        var noManifests = new Option<bool>("--no-manifests") { Arity = ArgumentArity.Zero, Description = "write the PEM files only" };
        var command = new Command("certs", "makes the CA, the serving and the scheduler's client certificates; writes the CA into the manifests")
        {
            outDir, days, ns, manifests, noManifests,
        };
        CapstanCli.AddHelp(command);
        command.SetAction(result => Run(
            new CertsOptions
            {
                Out = result.GetValue(outDir)!,
                Days = int.Parse(result.GetValue(days)!, NumberStyles.None, CultureInfo.InvariantCulture),
                Namespace = result.GetValue(ns)!,
                Manifests = result.GetValue(noManifests) ? null : result.GetValue(manifests),
            },
            context.Stdout, context.Stderr, context.Time));
        return command;
    }

    private static int Run(CertsOptions options, TextWriter stdout, TextWriter stderr, TimeProvider time)
    {
        var now = time.GetUtcNow();
        using var certificates = CertificateSet.Create(now, TimeSpan.FromDays(options.Days), CertificateSet.DefaultService, options.Namespace);
        try
        {
            certificates.WritePem(options.Out);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"capstan certs: cannot write the certificates into \"{options.Out}\" (check that the folder can be created and written)");
            return 1;
        }

        stdout.WriteLine($"capstan certs: wrote {Path.Combine(options.Out, "{ca,tls,client}.{crt,key}")}, valid until {now.AddDays(options.Days):yyyy-MM-dd}; "
            + $"serving names {string.Join(", ", certificates.ServerDnsNames)}, 127.0.0.1, ::1");
        if (options.Manifests is null)
        {
            return 0;
        }

        // Exactly the bytes of ca.crt, base64-encoded, as the API server and kube-scheduler read caBundle and caData.
        var bundle = Convert.ToBase64String(File.ReadAllBytes(Path.Combine(options.Out, CertificateSet.CaCertificateFile)));
        var webhooks = Path.Combine(options.Manifests, "webhooks.yaml");
        var targets = new List<(string File, string Name, Regex Line)>();
        if (File.Exists(webhooks))
        {
            targets.Add((webhooks, "caBundle", CaBundleLine()));
        }
        else
        {
            stdout.WriteLine($"capstan certs: no {webhooks}; no caBundle written");
        }

        var scheduler = Path.Combine(options.Manifests, "scheduler");
        if (Directory.Exists(scheduler))
        {
            targets.AddRange(Directory.EnumerateFiles(scheduler, "*.yaml").Order(StringComparer.Ordinal).Select(f => (f, "caData", CaDataLine())));
        }

        foreach (var (file, name, line) in targets)
        {
            try
            {
                var text = File.ReadAllText(file);
                var count = line.Count(text);
                if (count == 0)
                {
                    continue;
                }

                File.WriteAllText(file, line.Replace(text, m => m.Groups["key"].Value + " " + bundle));
                stdout.WriteLine($"capstan certs: {name} set in {file} ({count.ToString(CultureInfo.InvariantCulture)}x)");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"capstan certs: cannot write the CA into \"{file}\" (check that it can be read and written)");
                return 1;
            }
        }

        return 0;
    }

    /// <summary>A YAML <c>caBundle:</c> line (a webhook's clientConfig), its value replaced whatever it was.</summary>
    [GeneratedRegex(@"^(?<key>[ \t]*caBundle:)[^\r\n]*", RegexOptions.Multiline)]
    private static partial Regex CaBundleLine();

    /// <summary>A YAML <c>caData:</c> line (a scheduler extender's tlsConfig).</summary>
    [GeneratedRegex(@"^(?<key>[ \t]*caData:)[^\r\n]*", RegexOptions.Multiline)]
    private static partial Regex CaDataLine();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    internal sealed class CertsOptions
    {
        public string Out { get; set; } = Path.Combine("certs", "out");

        public int Days { get; set; } = 365;

        public string Namespace { get; set; } = CertificateSet.DefaultNamespace;

        public string? Manifests { get; set; } = "manifests";
    }
}
