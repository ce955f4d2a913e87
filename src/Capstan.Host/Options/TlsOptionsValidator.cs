using Capstan.Host.Tls;
using Microsoft.Extensions.Options;

namespace Capstan.Host.Options;

/// <summary>Checks that the TLS files are set, exist and load, so a bad configuration stops the host before it listens.</summary>
public sealed class TlsOptionsValidator : IValidateOptions<TlsOptions>
{
    public ValidateOptionsResult Validate(string? name, TlsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.CertFile) || string.IsNullOrWhiteSpace(options.KeyFile))
        {
            failures.Add($"{TlsOptions.SectionName}:CertFile and {TlsOptions.SectionName}:KeyFile are required (PEM files; `make certs` writes certs/out/tls.crt and tls.key)");
        }
        else if (!File.Exists(options.CertFile))
        {
            failures.Add($"{TlsOptions.SectionName}:CertFile \"{options.CertFile}\" does not exist");
        }
        else if (!File.Exists(options.KeyFile))
        {
            failures.Add($"{TlsOptions.SectionName}:KeyFile \"{options.KeyFile}\" does not exist");
        }
        else if (ServingCertificate.TryLoad(options.CertFile, options.KeyFile, out _, out var error) is false)
        {
            failures.Add($"{TlsOptions.SectionName}: {error}");
        }

        if (!string.IsNullOrWhiteSpace(options.ClientCaFile) && !File.Exists(options.ClientCaFile))
        {
            failures.Add($"{TlsOptions.SectionName}:ClientCaFile \"{options.ClientCaFile}\" does not exist");
        }

        if (options.ReloadInterval < TimeSpan.Zero)
        {
            failures.Add($"{TlsOptions.SectionName}:ReloadInterval must not be negative");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
