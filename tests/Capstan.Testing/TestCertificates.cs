using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Capstan.Tls;

namespace Capstan.Testing;

/// <summary>
/// A throwaway <see cref="CertificateSet"/> (the certificates <c>capstan certs</c> makes, from the same code) and
/// HTTPS clients that trust only its CA, for tests that talk real HTTPS to a Kestrel on 127.0.0.1.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private readonly CertificateSet _set;

    private TestCertificates(CertificateSet set) => _set = set;

    public X509Certificate2 Ca => _set.Ca;

    /// <summary>The serving certificate, with its private key.</summary>
    public X509Certificate2 Server => _set.Server;

    /// <summary>A client certificate signed by <see cref="Ca"/>, for mTLS tests.</summary>
    public X509Certificate2 Client => _set.Client;

    public static TestCertificates Create(DateTimeOffset now) => new(CertificateSet.Create(now, TimeSpan.FromDays(30)));

    /// <summary>Writes the PEM files (ca.crt, tls.crt, tls.key, client.crt, ...) into a directory, as <c>make certs</c> lays them out.</summary>
    public void WritePem(string directory) => _set.WritePem(directory);

    /// <summary>An HttpClient that trusts only <see cref="Ca"/> (and optionally presents <see cref="Client"/>).</summary>
    public HttpClient CreateClient(Uri baseAddress, bool presentClientCertificate = false) =>
        CreateClient(baseAddress, presentClientCertificate ? Client : null);

    /// <summary>An HttpClient that trusts only <see cref="Ca"/> and presents <paramref name="clientCertificate"/>, whoever signed it.</summary>
    public HttpClient CreateClient(Uri baseAddress, X509Certificate2? clientCertificate)
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) => ValidateAgainstCa(certificate, errors),
                ClientCertificates = clientCertificate is null ? null : new X509CertificateCollection { clientCertificate },
            },
        };
        return new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    private bool ValidateAgainstCa(X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            return false;
        }

        using var leaf = new X509Certificate2(certificate);
        return _set.IsSignedByCa(leaf);
    }

    public void Dispose() => _set.Dispose();
}
