using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Capstan.Host.Options;
using Microsoft.Extensions.Options;

namespace Capstan.Host.Tls;

/// <summary>
/// Validates client certificates against <see cref="TlsOptions.ClientCaFile"/> only (not the system roots). With no
/// CA configured, client certificates are not requested at all.
/// </summary>
public sealed class ClientCertificateAuthority : IDisposable
{
    private readonly X509Certificate2Collection _roots = [];

    public ClientCertificateAuthority(IOptions<TlsOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!string.IsNullOrWhiteSpace(options.Value.ClientCaFile))
        {
            _roots.ImportFromPemFile(options.Value.ClientCaFile);
        }
    }

    public bool IsEnabled => _roots.Count > 0;

    /// <summary>True when the certificate chains to the configured CA and is valid for client authentication.</summary>
    public bool Validate(X509Certificate2 certificate, X509Chain? _, SslPolicyErrors __)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.2"));
        return chain.Build(certificate);
    }

    public void Dispose()
    {
        foreach (var root in _roots)
        {
            root.Dispose();
        }
    }
}
