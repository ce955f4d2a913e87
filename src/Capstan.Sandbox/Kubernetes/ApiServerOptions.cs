using System.Security.Cryptography.X509Certificates;

namespace Capstan.Sandbox.Kubernetes;

/// <summary>How an <see cref="ApiServer"/> listens and whom it lets in.</summary>
public sealed class ApiServerOptions
{
    /// <summary>The serving certificate (with its key) for HTTPS; null serves plain HTTP.</summary>
    public X509Certificate2? Certificate { get; init; }

    /// <summary>The bearer token clients must present; null lets every client in.</summary>
    public string? Token { get; init; }

    /// <summary>The loopback port; 0 takes any free one.</summary>
    public int Port { get; init; }

    /// <summary>The admission step for writes; null admits everything as sent.</summary>
    public IAdmission? Admission { get; init; }

    /// <summary>How often open watches that asked for them get a BOOKMARK (on the store's clock).</summary>
    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromSeconds(60);
}
