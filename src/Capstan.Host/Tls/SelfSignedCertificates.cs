using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Capstan.Host.Tls;

/// <summary>
/// A CA and a serving certificate made on the fly (sandbox without <c>--cert</c>): SANs cover the in-cluster Service
/// names, <c>localhost</c>, <c>127.0.0.1</c> and <c>::1</c>. Written as PEM files (<c>ca.crt</c>, <c>tls.crt</c>,
/// <c>tls.key</c>), the layout <c>make certs</c> uses, so clients can trust <c>ca.crt</c>.
/// </summary>
public static class SelfSignedCertificates
{
    public static readonly IReadOnlyList<string> DnsNames = ["capstan", "capstan.capstan", "capstan.capstan.svc", "capstan.capstan.svc.cluster.local", "localhost"];

    /// <summary>Creates the files in <paramref name="directory"/> and returns the CA path.</summary>
    public static string Write(string directory, DateTimeOffset now)
    {
        Directory.CreateDirectory(directory);
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=capstan-sandbox-ca", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(30));

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=capstan.capstan.svc", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in DnsNames)
        {
            san.AddDnsName(name);
        }

        san.AddIpAddress(IPAddress.Loopback);
        san.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(san.Build());
        var serial = new byte[16];
        RandomNumberGenerator.Fill(serial);
        serial[0] &= 0x7F;
        using var server = request.Create(ca, now.AddMinutes(-5), now.AddDays(29), serial);

        var caFile = Path.Combine(directory, "ca.crt");
        File.WriteAllText(caFile, ca.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, "tls.crt"), server.ExportCertificatePem());
        var keyFile = Path.Combine(directory, "tls.key");
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return caFile;
    }
}
