using System.Net;
using System.Text.Json;
using Amazon;
using Amazon.EC2;
using Amazon.Runtime;
using Capstan.Aws.Clients;

namespace Capstan.Aws.Pricing;

/// <summary>
/// A client of the AWS Price List API shaped like an SDK client (no Pricing package is to be had): JSON 1.1 over
/// HTTPS, target <c>AWSPriceListService.&lt;Operation&gt;</c>, signed with AWSSDK.Core's SigV4 signer for the
/// signing name <c>pricing</c> in us-east-1. Endpoint: <c>AWS_ENDPOINT_URL_PRICING</c> / <c>AWS_ENDPOINT_URL</c>,
/// else <c>https://api.pricing.us-east-1.amazonaws.com</c>. Failures surface as <see cref="AmazonServiceException"/>
/// with AWS's error code and HTTP status, as the SDK clients' do, so <see cref="AwsPipelines"/> treats them alike.
/// </summary>
public sealed class PricingClient : IDisposable
{
    public const string DefaultEndpoint = "https://api.pricing.us-east-1.amazonaws.com/";
    public const string SigningName = "pricing";
    public const string TargetPrefix = "AWSPriceListService";
    private const string JsonContentType = "application/x-amz-json-1.1";

    private readonly HttpClient _http;
    private readonly Func<CancellationToken, Task<AWSCredentials>> _credentials;
    private readonly TimeProvider _time;
    private AWSCredentials? _resolved;

    /// <param name="endpoint">the service URL</param>
    /// <param name="credentials">resolves the credentials to sign with (called once, on the first request)</param>
    /// <param name="time">the clock the signature is dated by</param>
    /// <param name="timeout">the HTTP timeout of one request</param>
    /// <param name="handler">the HTTP handler, for tests; a new one when null</param>
    public PricingClient(Uri endpoint, Func<CancellationToken, Task<AWSCredentials>> credentials, TimeProvider time, TimeSpan timeout, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        Endpoint = endpoint;
        _credentials = credentials;
        _time = time;
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        _http.Timeout = timeout;
    }

    /// <summary>A client with the factory's endpoint override, credentials and call timeout.</summary>
    public PricingClient(AwsClientFactory clients, AwsOptions options, TimeProvider time)
        : this(
            new Uri((clients ?? throw new ArgumentNullException(nameof(clients))).EndpointFor("PRICING") ?? DefaultEndpoint),
            _ => clients.CredentialsAsync(clients.Configure(new AmazonEC2Config(), "EC2")),
            time,
            (options ?? throw new ArgumentNullException(nameof(options))).CallTimeout)
    {
    }

    public Uri Endpoint { get; }

    /// <summary>Products matching the filters, one page.</summary>
    public async Task<GetProductsResponse> GetProductsAsync(GetProductsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = JsonSerializer.SerializeToUtf8Bytes(request, PricingJsonContext.Default.GetProductsRequest);
        var (status, text, requestId) = await SendAsync("GetProducts", body, cancellationToken);
        try
        {
            return JsonSerializer.Deserialize(text, PricingJsonContext.Default.GetProductsResponse)
                ?? throw new JsonException("empty answer");
        }
        catch (JsonException ex)
        {
            throw new AmazonServiceException("The Price List answer could not be read", ex, ErrorType.Unknown, null, requestId, status);
        }
    }

    public void Dispose() => _http.Dispose();

    private async Task<(HttpStatusCode Status, string Body, string? RequestId)> SendAsync(string operation, byte[] body, CancellationToken cancellationToken)
    {
        _resolved ??= await _credentials(cancellationToken);
        var target = TargetPrefix + "." + operation;
        using var response = await SignedPost.SendAsync(_http, Endpoint, body, JsonContentType,
            new Dictionary<string, string> { ["X-Amz-Target"] = target }, _resolved, RegionEndpoint.USEast1, SigningName, _time.GetUtcNow(), cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var requestId = SignedPost.RequestId(response);
        if (!response.IsSuccessStatusCode)
        {
            throw Error(response.StatusCode, text, requestId);
        }

        return (response.StatusCode, text, requestId);
    }

    /// <summary>AWS's JSON error (<c>__type</c> with an optional <c>namespace#</c> prefix, <c>message</c> or <c>Message</c>).</summary>
    private static AmazonServiceException Error(HttpStatusCode status, string body, string? requestId)
    {
        string? code = null;
        string? text = null;
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                if (document.RootElement.TryGetProperty("__type", out var type) && type.ValueKind == JsonValueKind.String)
                {
                    var raw = type.GetString() ?? "";
                    code = raw[(raw.LastIndexOf('#') + 1)..];
                }

                foreach (var name in new[] { "message", "Message" })
                {
                    if (document.RootElement.TryGetProperty(name, out var m) && m.ValueKind == JsonValueKind.String)
                    {
                        text = m.GetString();
                        break;
                    }
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON: the status alone says what happened.
        }

        var kind = (int)status >= 500 ? ErrorType.Receiver : ErrorType.Sender;
        return new AmazonServiceException(text ?? $"HTTP {(int)status}", null, kind, code, requestId, status);
    }
}
