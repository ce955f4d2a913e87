using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Capstan.Extender.Wire;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Capstan.Extender;

/// <summary>
/// Optional mutual TLS on the extender routes: when a client CA is configured, a request must carry a
/// client certificate (the scheduler's <c>tlsConfig.certFile</c>) that chains to it and allows client
/// authentication; otherwise 403 with <c>{"Error": ...}</c>. The host lets Kestrel accept any client
/// certificate (<c>ClientCertificateMode.AllowCertificate</c>) and leaves the decision to this filter.
/// </summary>
internal sealed class ClientCertificateFilter : IEndpointFilter
{
    private static readonly Oid s_clientAuth = new("1.3.6.1.5.5.7.3.2");

    private readonly X509Certificate2Collection? _trusted;
    private readonly ILogger<ClientCertificateFilter> _logger;

    public ClientCertificateFilter(IOptions<ExtenderOptions> options, ILogger<ClientCertificateFilter> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _logger = logger;
        var caFile = options.Value.ClientCaFile;
        if (!string.IsNullOrWhiteSpace(caFile))
        {
            _trusted = [];
            _trusted.ImportFromPemFile(caFile);
        }
        else if (options.Value.RequireClientCertificate)
        {
            _trusted = [];
        }
    }

    public bool Enabled => _trusted is not null;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (_trusted is null)
        {
            return await next(context);
        }

        var http = context.HttpContext;
        var certificate = http.Connection.ClientCertificate ?? await http.Connection.GetClientCertificateAsync(http.RequestAborted);
        var reason = certificate is null ? "a client certificate is required" : Verify(certificate);
        if (reason is null)
        {
            return await next(context);
        }

        _logger.ClientCertificateRejected(http.Connection.RemoteIpAddress?.ToString() ?? "unknown", reason);
        return TypedResults.Json(new ExtenderError(reason), ExtenderJsonContext.Default.ExtenderError, "application/json", StatusCodes.Status403Forbidden);
    }

    private string? Verify(X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_trusted!);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(s_clientAuth);
        if (chain.Build(certificate))
        {
            return null;
        }

        var problems = X509ChainStatusFlags.NoError;
        foreach (var status in chain.ChainStatus)
        {
            problems |= status.Status;
        }

        // A certificate from another CA shows as an untrusted root or a partial chain; say that first, as it is the usual case.
        const X509ChainStatusFlags NotOurs = X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain | X509ChainStatusFlags.NotSignatureValid;
        return (problems & NotOurs) != 0 ? "the client certificate is not signed by the configured client CA"
            : (problems & X509ChainStatusFlags.NotTimeValid) != 0 ? "the client certificate has expired or is not valid yet"
            : (problems & X509ChainStatusFlags.NotValidForUsage) != 0 ? "the client certificate is not meant for client authentication (its extended key usage)"
            : "the client certificate could not be verified against the configured client CA";
    }
}
