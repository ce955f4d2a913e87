using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace Capstan.Extender;

/// <summary>Cross-field rules of <see cref="ExtenderOptions"/>; each failure says what to fix.</summary>
internal sealed class ExtenderOptionsValidator : IValidateOptions<ExtenderOptions>
{
    public ValidateOptionsResult Validate(string? name, ExtenderOptions options)
    {
        var failures = new List<string>();
        if (options.RequireClientCertificate && string.IsNullOrWhiteSpace(options.ClientCaFile))
        {
            failures.Add($"{ExtenderOptions.SectionName}:RequireClientCertificate is true but no client CA is configured: set {ExtenderOptions.TlsClientCaKey} (or {ExtenderOptions.SectionName}:ClientCaFile) to the PEM file of the CA that signs the scheduler's client certificate.");
        }

        if (!string.IsNullOrWhiteSpace(options.ClientCaFile) && !File.Exists(options.ClientCaFile))
        {
            failures.Add($"client CA file '{options.ClientCaFile}' does not exist.");
        }
        else if (!string.IsNullOrWhiteSpace(options.ClientCaFile) && !HoldsCertificates(options.ClientCaFile))
        {
            // Otherwise every scheduler request would be refused as "not signed by the configured client CA".
            failures.Add($"client CA file '{options.ClientCaFile}' holds no PEM certificate (expected the CA's \"-----BEGIN CERTIFICATE-----\" block, e.g. certs/out/ca.crt).");
        }

        if (options.BindTimeout <= TimeSpan.Zero || options.BindTimeout > TimeSpan.FromMinutes(1))
        {
            failures.Add($"{ExtenderOptions.SectionName}:BindTimeout must be between 0 and 1 minute, and below kube-scheduler's httpTimeout (default 00:00:04).");
        }

        if (options.LedgerEntryTtl <= TimeSpan.Zero)
        {
            failures.Add($"{ExtenderOptions.SectionName}:LedgerEntryTtl must be positive (default 00:02:00).");
        }

        if (options.MaxRequestBodyBytes <= 0)
        {
            failures.Add($"{ExtenderOptions.SectionName}:MaxRequestBodyBytes must be positive (default 33554432).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool HoldsCertificates(string file)
    {
        try
        {
            var certificates = new X509Certificate2Collection();
            certificates.ImportFromPemFile(file);
            var any = certificates.Count > 0;
            foreach (var certificate in certificates)
            {
                certificate.Dispose();
            }

            return any;
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
