using System.Net.Http.Headers;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;

namespace Capstan.Aws.Clients;

/// <summary>
/// One POST to an AWS endpoint signed with AWSSDK.Core's SigV4 signer, for the small clients written where the SDK has
/// no package here (Price List, Auto Scaling). The caller reads the answer and its errors in its own protocol.
/// </summary>
internal static class SignedPost
{
    /// <param name="http">the client to send with</param>
    /// <param name="endpoint">the service URL</param>
    /// <param name="body">the request body, signed as it is sent</param>
    /// <param name="contentType">the body's media type (signed)</param>
    /// <param name="headers">further headers to sign and send (<c>X-Amz-Target</c>)</param>
    /// <param name="credentials">the credentials to sign with</param>
    /// <param name="region">the signing region</param>
    /// <param name="service">the signing name</param>
    /// <param name="signedAt">the signature's date</param>
    /// <param name="cancellationToken">cancels the call</param>
    public static async Task<HttpResponseMessage> SendAsync(HttpClient http, Uri endpoint, byte[] body, string contentType,
        IReadOnlyDictionary<string, string> headers, AWSCredentials credentials, RegionEndpoint region, string service, DateTimeOffset signedAt,
        CancellationToken cancellationToken)
    {
        var signing = new AWSSigningRequest { HttpMethod = HttpMethod.Post, RequestUri = endpoint, Content = body };
        signing.Headers["Content-Type"] = contentType;
        foreach (var (name, value) in headers)
        {
            signing.Headers[name] = value;
        }

        var signed = await AWSSigV4Signer.SignAsync(signing, new AWSSigV4Parameters
        {
            Credentials = credentials,
            Region = region,
            Service = service,
            SignedAt = signedAt.UtcDateTime,
        }, cancellationToken).ConfigureAwait(false);

        using var message = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(body) };
        message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        foreach (var (name, value) in headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        foreach (var (name, value) in signed.Headers)
        {
            // HttpClient writes Host itself; Content-Type belongs to the content; the caller's headers are in already.
            if (!name.Equals("Host", StringComparison.OrdinalIgnoreCase) && !name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)
                && !headers.Keys.Any(k => k.Equals(name, StringComparison.OrdinalIgnoreCase)))
            {
                message.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return await http.SendAsync(message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The request id AWS answered with, when it sent one.</summary>
    public static string? RequestId(HttpResponseMessage response) =>
        response.Headers.TryGetValues("x-amzn-RequestId", out var ids) ? ids.FirstOrDefault() : null;
}
