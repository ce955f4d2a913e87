using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Capstan.Host.Options;
using Microsoft.Extensions.Options;

namespace Capstan.Host.Tls;

/// <summary>
/// The serving certificate, loaded from the PEM files of <see cref="TlsOptions"/> and reloaded when they change on
/// disk (a rotated Secret, <c>make certs</c> run again). Kestrel asks for it on every TLS handshake; the files are
/// checked at most once per <see cref="TlsOptions.ReloadInterval"/>. A half-written or broken pair is logged and the
/// previous certificate stays in use.
/// </summary>
public sealed class ServingCertificate : IDisposable
{
    private readonly TlsOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<ServingCertificate> _logger;
    private readonly Lock _gate = new();
    private X509Certificate2 _current;
    private (DateTime Cert, DateTime Key, long CertLength, long KeyLength) _stamp;
    private DateTimeOffset _lastCheck;

    public ServingCertificate(IOptions<TlsOptions> options, TimeProvider timeProvider, ILogger<ServingCertificate> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _timeProvider = timeProvider;
        _logger = logger;
        _stamp = Stamp();
        if (!TryLoad(_options.CertFile, _options.KeyFile, out var certificate, out var error))
        {
            throw new InvalidOperationException(error);
        }

        _current = certificate;
        _lastCheck = timeProvider.GetUtcNow();
        _logger.CertificateLoaded(_options.CertFile, certificate.Subject, certificate.NotAfter);
    }

    /// <summary>The certificate to present now (reloaded first when the files changed).</summary>
    public X509Certificate2 Current()
    {
        var now = _timeProvider.GetUtcNow();
        if (now - _lastCheck < _options.ReloadInterval)
        {
            return _current;
        }

        lock (_gate)
        {
            _lastCheck = now;
            var stamp = Stamp();
            if (stamp == _stamp)
            {
                return _current;
            }

            if (TryLoad(_options.CertFile, _options.KeyFile, out var certificate, out var error))
            {
                _stamp = stamp;
                // The old certificate is not disposed: handshakes in flight may still use it.
                _current = certificate;
                _logger.CertificateLoaded(_options.CertFile, certificate.Subject, certificate.NotAfter);
            }
            else
            {
                _logger.CertificateReloadFailed(_options.CertFile, error);
            }

            return _current;
        }
    }

    /// <summary>Loads a PEM certificate and key into a certificate usable by SslStream.</summary>
    public static bool TryLoad(string certFile, string keyFile, [NotNullWhen(true)] out X509Certificate2? certificate, [NotNullWhen(false)] out string? error)
    {
        try
        {
            using var pem = X509Certificate2.CreateFromPemFile(certFile, keyFile);
            if (!pem.HasPrivateKey)
            {
                throw new CryptographicException("the key does not belong to the certificate");
            }

            // PKCS#12 round trip: SslStream on some platforms cannot use an ephemeral PEM key.
            certificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
            error = null;
            return true;
        }
#pragma warning disable CA1031 // whatever is wrong with the files, the previous certificate must stay in use
        catch (Exception e) when (e is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            certificate = null;
            error = $"cannot load certificate \"{certFile}\" with key \"{keyFile}\": {e.Message}";
            return false;
        }
    }

    private (DateTime, DateTime, long, long) Stamp()
    {
        var cert = new FileInfo(_options.CertFile);
        var key = new FileInfo(_options.KeyFile);
        return (cert.Exists ? cert.LastWriteTimeUtc : default, key.Exists ? key.LastWriteTimeUtc : default,
            cert.Exists ? cert.Length : -1, key.Exists ? key.Length : -1);
    }

    public void Dispose() => _current.Dispose();
}
