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
        var noCert = string.IsNullOrWhiteSpace(options.CertFile);
        var noKey = string.IsNullOrWhiteSpace(options.KeyFile);
        if (noCert || noKey)
        {
            failures.Add(noCert && noKey
                ? $"{TlsOptions.SectionName}:CertFile and {TlsOptions.SectionName}:KeyFile are not set (--cert FILE --key FILE)"
                : noCert ? $"{TlsOptions.SectionName}:CertFile is not set (--cert FILE)" : $"{TlsOptions.SectionName}:KeyFile is not set (--key FILE)");
        }
        else if (!File.Exists(options.CertFile))
        {
            failures.Add($"{TlsOptions.SectionName}:CertFile (--cert) \"{options.CertFile}\" does not exist");
        }
        else if (!File.Exists(options.KeyFile))
        {
            failures.Add($"{TlsOptions.SectionName}:KeyFile (--key) \"{options.KeyFile}\" does not exist");
        }
        else if (ServingCertificate.TryLoad(options.CertFile, options.KeyFile, out _, out var error) is false)
        {
            failures.Add($"{TlsOptions.SectionName}: {error}");
        }

        if (!string.IsNullOrWhiteSpace(options.ClientCaFile) && !File.Exists(options.ClientCaFile))
        {
            failures.Add($"{TlsOptions.SectionName}:ClientCaFile (--client-ca) \"{options.ClientCaFile}\" does not exist");
        }

        if (options.ReloadInterval < TimeSpan.Zero)
        {
            failures.Add($"{TlsOptions.SectionName}:ReloadInterval must not be negative");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
