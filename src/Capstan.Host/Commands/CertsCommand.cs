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
    public const string Usage = """
        usage: capstan certs [--out DIR] [--days N] [--namespace NS] [--manifests DIR | --no-manifests]

          --out DIR          where the PEM files go (default certs/out): ca.crt ca.key tls.crt tls.key client.crt client.key
          --days N           how long the certificates are valid, in days (default 365)
          --namespace NS     namespace of the capstan Service, for the serving certificate's names (default capstan)
          --manifests DIR    write the CA as caBundle into DIR/webhooks.yaml and as caData into DIR/scheduler/*.yaml
                             where that key is present (default manifests)
          --no-manifests     write the PEM files only
        """;

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        ArgumentNullException.ThrowIfNull(time);
        var (options, error) = Parse(args);
        if (options is null)
        {
            if (error is not null)
            {
                stderr.WriteLine($"capstan certs: {error}");
            }

            (error is null ? stdout : stderr).WriteLine(Usage);
            return error is null ? 0 : 2;
        }

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

    /// <summary>The parsed flags, or null with the reason (null reason: help was asked for).</summary>
    internal static (CertsOptions? Options, string? Error) Parse(string[] args)
    {
        var options = new CertsOptions();
        var noManifests = false;
        for (var i = 0; i < args.Length; i++)
        {
            var flag = args[i];
            string? Value() => i + 1 < args.Length ? args[++i] : null;
            switch (flag)
            {
                case "-h" or "--help":
                    return (null, null);
                case "--out":
                    var outDir = Value();
                    if (string.IsNullOrEmpty(outDir))
                    {
                        return (null, "--out needs a folder");
                    }

                    options.Out = outDir;
                    break;
                case "--days":
                    if (!int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var days) || days is < 1 or > 3650)
                    {
                        return (null, "--days needs a whole number of days from 1 to 3650");
                    }

                    options.Days = days;
                    break;
                case "--namespace":
                    var ns = Value();
                    if (ns is null || !DnsLabel().IsMatch(ns))
                    {
                        return (null, "--namespace needs a namespace name (lower-case letters, digits and '-', at most 63)");
                    }

                    options.Namespace = ns;
                    break;
                case "--manifests":
                    var manifests = Value();
                    if (string.IsNullOrEmpty(manifests))
                    {
                        return (null, "--manifests needs a folder");
                    }

                    options.Manifests = manifests;
                    break;
                case "--no-manifests":
                    noManifests = true;
                    break;
                default:
                    return (null, $"unknown argument '{flag}'");
            }
        }

        if (noManifests)
        {
            options.Manifests = null;
        }

        return (options, null);
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
