using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Capstan.Tls;

/// <summary>
/// A private CA with the two certificates it signs: the serving certificate of Capstan's HTTPS listener (server
/// authentication; the SANs of <see cref="DnsNames"/> and <see cref="IpAddresses"/>) and a client certificate for
/// kube-scheduler (client authentication, <c>CN=kube-scheduler</c>). ECDSA P-256 keys, SHA-256 signatures. This is the
/// only place Capstan makes certificates: <c>capstan certs</c> (<c>make certs</c>), the sandbox and the tests use it.
/// </summary>
public sealed class CertificateSet : IDisposable
{
    /// <summary>The Service and namespace of <c>manifests/service.yaml</c>.</summary>
    public const string DefaultService = "capstan";

    public const string DefaultNamespace = "capstan";

    /// <summary>The file names <see cref="WritePem"/> uses, the layout of <c>certs/out</c>.</summary>
    public const string CaCertificateFile = "ca.crt";
    public const string CaKeyFile = "ca.key";
    public const string ServerCertificateFile = "tls.crt";
    public const string ServerKeyFile = "tls.key";
    public const string ClientCertificateFile = "client.crt";
    public const string ClientKeyFile = "client.key";

    private static readonly Oid s_serverAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid s_clientAuth = new("1.3.6.1.5.5.7.3.2");

    /// <summary>Made a little before "now", so a peer whose clock is slightly behind accepts them.</summary>
    private static readonly TimeSpan s_clockSkew = TimeSpan.FromMinutes(5);

    private CertificateSet(X509Certificate2 ca, X509Certificate2 server, X509Certificate2 client, IReadOnlyList<string> dnsNames)
    {
        Ca = ca;
        Server = server;
        Client = client;
        ServerDnsNames = dnsNames;
    }

    /// <summary>The CA certificate, with its private key.</summary>
    public X509Certificate2 Ca { get; }

    /// <summary>The serving certificate, with its private key, usable by SslStream.</summary>
    public X509Certificate2 Server { get; }

    /// <summary>kube-scheduler's client certificate, with its private key, usable by SslStream.</summary>
    public X509Certificate2 Client { get; }

    /// <summary>The DNS SANs of <see cref="Server"/>.</summary>
    public IReadOnlyList<string> ServerDnsNames { get; }

    /// <summary>
    /// The serving certificate's DNS names for a Service: <c>localhost</c> and every name the Service answers to in
    /// the cluster (<c>svc</c>, <c>svc.ns</c>, <c>svc.ns.svc</c>, <c>svc.ns.svc.cluster.local</c>).
    /// </summary>
    public static IReadOnlyList<string> DnsNames(string service = DefaultService, string @namespace = DefaultNamespace) =>
        ["localhost", service, $"{service}.{@namespace}", $"{service}.{@namespace}.svc", $"{service}.{@namespace}.svc.cluster.local"];

    /// <summary>The serving certificate's IP SANs: the loopback addresses (sandbox, port-forward, tests).</summary>
    public static IReadOnlyList<IPAddress> IpAddresses { get; } = [IPAddress.Loopback, IPAddress.IPv6Loopback];

    /// <summary>Makes a new CA and the two certificates, valid from <paramref name="now"/> for <paramref name="validity"/>.</summary>
    public static CertificateSet Create(DateTimeOffset now, TimeSpan validity, string service = DefaultService, string @namespace = DefaultNamespace)
    {
        if (validity <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(validity), validity, "the validity must be positive");
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(service);
        ArgumentException.ThrowIfNullOrWhiteSpace(@namespace);
        var notBefore = now - s_clockSkew;
        var notAfter = now + validity;
        var dnsNames = DnsNames(service, @namespace);

        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=capstan-ca", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, critical: false));
        using var caCertificate = caRequest.CreateSelfSigned(notBefore, notAfter);
        var ca = Usable(caCertificate);

        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in dnsNames)
        {
            san.AddDnsName(name);
        }

        foreach (var address in IpAddresses)
        {
            san.AddIpAddress(address);
        }

        var server = Issue(ca, $"CN={service}.{@namespace}.svc", s_serverAuth, san.Build(), notBefore, notAfter);
        var client = Issue(ca, "CN=kube-scheduler", s_clientAuth, san: null, notBefore, notAfter);
        return new CertificateSet(ca, server, client, dnsNames);
    }

    /// <summary>
    /// Writes the six PEM files (<c>ca.crt</c>, <c>ca.key</c>, <c>tls.crt</c>, <c>tls.key</c>, <c>client.crt</c>,
    /// <c>client.key</c>) into <paramref name="directory"/>, creating it; private keys are readable by the owner only.
    /// </summary>
    public void WritePem(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory.CreateDirectory(directory);
        Write(directory, CaCertificateFile, CaKeyFile, Ca);
        Write(directory, ServerCertificateFile, ServerKeyFile, Server);
        Write(directory, ClientCertificateFile, ClientKeyFile, Client);
    }

    /// <summary>True when <paramref name="certificate"/> chains to this set's CA alone (not the system roots).</summary>
    public bool IsSignedByCa(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    public void Dispose()
    {
        Ca.Dispose();
        Server.Dispose();
        Client.Dispose();
    }

    private static X509Certificate2 Issue(X509Certificate2 ca, string subject, Oid usage, X509Extension? san, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([usage], critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        if (san is not null)
        {
            request.CertificateExtensions.Add(san);
        }

        var serial = new byte[16];
        RandomNumberGenerator.Fill(serial);
        serial[0] &= 0x7F; // a positive serial number
        using var issued = request.Create(ca, notBefore, notAfter, serial);
        using var withKey = issued.CopyWithPrivateKey(key);
        return Usable(withKey);
    }

    /// <summary>A PKCS#12 round trip: SslStream cannot use an ephemeral key on every platform.</summary>
    private static X509Certificate2 Usable(X509Certificate2 certificate) =>
        X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable);

    private static void Write(string directory, string certificateFile, string keyFile, X509Certificate2 certificate)
    {
        File.WriteAllText(Path.Combine(directory, certificateFile), certificate.ExportCertificatePem());
        using var key = certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException($"{certificateFile} has no private key");
        var keyPath = Path.Combine(directory, keyFile);
        // Made empty and private first, so the key is never readable by others, not even for a moment.
        File.WriteAllText(keyPath, "");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
    }
}
