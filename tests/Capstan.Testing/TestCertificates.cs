using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Capstan.Testing;

/// <summary>
/// A throwaway CA with a serving certificate (SANs: localhost, 127.0.0.1 and the in-cluster Service
/// names) and a client certificate, for tests that talk real HTTPS to a Kestrel on 127.0.0.1.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    public static readonly string[] ServiceDnsNames = ["capstan.capstan.svc", "capstan.capstan.svc.cluster.local", "localhost"];

    private TestCertificates(X509Certificate2 ca, X509Certificate2 server, X509Certificate2 client)
    {
        Ca = ca;
        Server = server;
        Client = client;
    }

    public X509Certificate2 Ca { get; }

    /// <summary>The serving certificate, with its private key.</summary>
    public X509Certificate2 Server { get; }

    /// <summary>A client certificate signed by <see cref="Ca"/>, for mTLS tests.</summary>
    public X509Certificate2 Client { get; }

    public static TestCertificates Create(DateTimeOffset now)
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=capstan-test-ca", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));

        var server = Issue(ca, "CN=capstan.capstan.svc", now, serverAuth: true);
        var client = Issue(ca, "CN=kube-scheduler", now, serverAuth: false);
        return new TestCertificates(ca, server, client);
    }

    private static X509Certificate2 Issue(X509Certificate2 ca, string subject, DateTimeOffset now, bool serverAuth)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        var oid = serverAuth ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2";
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(oid)], false));
        if (serverAuth)
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (var dns in ServiceDnsNames)
            {
                san.AddDnsName(dns);
            }

            san.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(san.Build());
        }

        var serial = new byte[16];
        RandomNumberGenerator.Fill(serial);
        serial[0] &= 0x7F;
        using var issued = request.Create(ca, now.AddDays(-1), now.AddDays(29), serial);
        using var withKey = issued.CopyWithPrivateKey(key);
        // Round-trip through PKCS#12 so the key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>Writes PEM files (ca.crt, tls.crt, tls.key) into a directory, as <c>make certs</c> lays them out.</summary>
    public void WritePem(string directory)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "ca.crt"), Ca.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, "tls.crt"), Server.ExportCertificatePem());
        using var key = Server.GetECDsaPrivateKey() ?? throw new InvalidOperationException("server certificate has no key");
        File.WriteAllText(Path.Combine(directory, "tls.key"), key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>An HttpClient that trusts only <see cref="Ca"/> (and optionally presents <see cref="Client"/>).</summary>
    public HttpClient CreateClient(Uri baseAddress, bool presentClientCertificate = false)
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) => ValidateAgainstCa(certificate, errors),
                ClientCertificates = presentClientCertificate ? new X509CertificateCollection { Client } : null,
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

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(new X509Certificate2(certificate));
    }

    public void Dispose()
    {
        Ca.Dispose();
        Server.Dispose();
        Client.Dispose();
    }
}
