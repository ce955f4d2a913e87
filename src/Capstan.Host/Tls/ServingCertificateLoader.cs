namespace Capstan.Host.Tls;

/// <summary>
/// Loads the serving certificate when the host starts (after options validation, before Kestrel listens), so the
/// first handshake never pays for it and a later broken file never leaves the host without a certificate.
/// </summary>
internal sealed class ServingCertificateLoader(ServingCertificate certificate) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = certificate.Current();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
