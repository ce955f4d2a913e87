using System.Net;
using System.Xml;
using System.Xml.Linq;
using Amazon;
using Amazon.EC2;
using Amazon.Runtime;
using Capstan.Aws.Clients;

namespace Capstan.Aws.AutoScaling;

/// <summary>
/// A client of the EC2 Auto Scaling Query API (version 2011-01-01), shaped like AWSSDK.AutoScaling's
/// <c>IAmazonAutoScaling</c> for the calls Capstan makes, since that package is not to be had: form-encoded POSTs
/// signed with AWSSDK.Core's SigV4 signer for the signing name <c>autoscaling</c> in the client's region, XML answers.
/// Endpoint: <c>AWS_ENDPOINT_URL_AUTO_SCALING</c> / <c>AWS_ENDPOINT_URL</c>, else
/// <c>https://autoscaling.&lt;region&gt;.amazonaws.com</c>. Failures surface as <see cref="AmazonServiceException"/>
/// with Auto Scaling's error code and the HTTP status, as the SDK clients' do, so <see cref="AwsPipelines"/> retries
/// them alike. Nothing here retries: callers run each call through a pipeline.
/// </summary>
public sealed class AutoScalingClient : IDisposable
{
    public const string ApiVersion = "2011-01-01";
    public const string SigningName = "autoscaling";

    /// <summary>The <see cref="AwsEndpoints"/> key of the endpoint override (<c>AWS_ENDPOINT_URL_AUTO_SCALING</c>).</summary>
    public const string EndpointKey = "AUTO_SCALING";

    private const string FormContentType = "application/x-www-form-urlencoded; charset=utf-8";

    private readonly HttpClient _http;
    private readonly Func<CancellationToken, Task<AWSCredentials>> _credentials;
    private readonly TimeProvider _time;
    private readonly RegionEndpoint _region;
    private static readonly Dictionary<string, string> s_noHeaders = [];
    private AWSCredentials? _resolved;

    /// <param name="endpoint">the service URL</param>
    /// <param name="region">the region signatures are scoped to</param>
    /// <param name="credentials">resolves the credentials to sign with (called once, on the first request)</param>
    /// <param name="time">the clock the signature is dated by</param>
    /// <param name="timeout">the HTTP timeout of one request</param>
    /// <param name="handler">the HTTP handler, for tests; a new one when null</param>
    public AutoScalingClient(Uri endpoint, string region, Func<CancellationToken, Task<AWSCredentials>> credentials, TimeProvider time, TimeSpan timeout, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(time);
        Endpoint = endpoint;
        Region = region;
        _region = RegionEndpoint.GetBySystemName(region);
        _credentials = credentials;
        _time = time;
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        _http.Timeout = timeout;
    }

    /// <summary>A client in the factory's region, with its endpoint override, credentials and the call timeout.</summary>
    public AutoScalingClient(AwsClientFactory clients, AwsOptions options, TimeProvider time)
        : this(
            new Uri((clients ?? throw new ArgumentNullException(nameof(clients))).EndpointFor(EndpointKey) ?? DefaultEndpoint(clients.Region)),
            clients.Region,
            _ => clients.CredentialsAsync(clients.Configure(new AmazonEC2Config(), "EC2")),
            time,
            (options ?? throw new ArgumentNullException(nameof(options))).CallTimeout)
    {
    }

    public Uri Endpoint { get; }

    public string Region { get; }

    /// <summary>AWS's own endpoint for a region.</summary>
    public static string DefaultEndpoint(string region) => $"https://autoscaling.{region}.amazonaws.com/";

    /// <summary>Groups by name or filter, one page.</summary>
    public async Task<DescribeAutoScalingGroupsResponse> DescribeAutoScalingGroupsAsync(DescribeAutoScalingGroupsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var form = new QueryForm("DescribeAutoScalingGroups", ApiVersion)
            .Members("AutoScalingGroupNames", request.AutoScalingGroupNames)
            .Members("Filters", request.Filters, static (f, prefix, filter) => f.Add(prefix + ".Name", filter.Name).Members(prefix + ".Values", filter.Values))
            .Add("MaxRecords", request.MaxRecords)
            .Add("NextToken", request.NextToken);
        return await SendAsync(form, AutoScalingXml.Groups, cancellationToken);
    }

    /// <summary>Sets a group's desired capacity.</summary>
    public async Task SetDesiredCapacityAsync(SetDesiredCapacityRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var form = new QueryForm("SetDesiredCapacity", ApiVersion)
            .Add("AutoScalingGroupName", request.AutoScalingGroupName)
            .Add("DesiredCapacity", request.DesiredCapacity)
            .Add("HonorCooldown", request.HonorCooldown);
        await SendAsync(form, static _ => true, cancellationToken);
    }

    /// <summary>Terminates one instance of its group.</summary>
    public async Task<TerminateInstanceInAutoScalingGroupResponse> TerminateInstanceInAutoScalingGroupAsync(TerminateInstanceInAutoScalingGroupRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var form = new QueryForm("TerminateInstanceInAutoScalingGroup", ApiVersion)
            .Add("InstanceId", request.InstanceId)
            .Add("ShouldDecrementDesiredCapacity", request.ShouldDecrementDesiredCapacity);
        return await SendAsync(form, AutoScalingXml.Terminated, cancellationToken);
    }

    /// <summary>A group's (or every group's) scaling activities, one page.</summary>
    public async Task<DescribeScalingActivitiesResponse> DescribeScalingActivitiesAsync(DescribeScalingActivitiesRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var form = new QueryForm("DescribeScalingActivities", ApiVersion)
            .Add("AutoScalingGroupName", request.AutoScalingGroupName)
            .Add("MaxRecords", request.MaxRecords)
            .Add("NextToken", request.NextToken);
        return await SendAsync(form, AutoScalingXml.Activities, cancellationToken);
    }

    /// <summary>Launch configurations by name, one page.</summary>
    public async Task<DescribeLaunchConfigurationsResponse> DescribeLaunchConfigurationsAsync(DescribeLaunchConfigurationsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var form = new QueryForm("DescribeLaunchConfigurations", ApiVersion)
            .Members("LaunchConfigurationNames", request.LaunchConfigurationNames)
            .Add("MaxRecords", request.MaxRecords)
            .Add("NextToken", request.NextToken);
        return await SendAsync(form, AutoScalingXml.LaunchConfigurations, cancellationToken);
    }

    public void Dispose() => _http.Dispose();

    private async Task<T> SendAsync<T>(QueryForm form, Func<XElement, T> read, CancellationToken cancellationToken)
    {
        var action = form.Pairs[0].Value;
        var body = form.ToBytes();
        _resolved ??= await _credentials(cancellationToken);
        using var response = await SignedPost.SendAsync(_http, Endpoint, body, FormContentType, s_noHeaders, _resolved, _region, SigningName,
            _time.GetUtcNow(), cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var requestId = SignedPost.RequestId(response);
        if (!response.IsSuccessStatusCode)
        {
            throw Error(response.StatusCode, text, requestId);
        }

        try
        {
            var root = XDocument.Parse(text).Root ?? throw new XmlException("no root element");
            var result = AutoScalingXml.Child(root, action + "Result") ?? root;
            return read(result);
        }
        catch (Exception ex) when (ex is XmlException or FormatException or OverflowException)
        {
            throw new AmazonServiceException($"The Auto Scaling {action} answer could not be read", ex, ErrorType.Unknown, null, requestId, response.StatusCode);
        }
    }

    /// <summary>The Query protocol's error: <c>ErrorResponse/Error</c> with <c>Type</c>, <c>Code</c>, <c>Message</c>, and <c>RequestId</c>.</summary>
    private static AmazonServiceException Error(HttpStatusCode status, string body, string? requestId)
    {
        string? code = null;
        string? text = null;
        string? type = null;
        try
        {
            var root = XDocument.Parse(body).Root;
            var error = root is null ? null : root.Name.LocalName == "Error" ? root : AutoScalingXml.Child(root, "Error");
            if (error is not null)
            {
                code = AutoScalingXml.Text(error, "Code");
                text = AutoScalingXml.Text(error, "Message");
                type = AutoScalingXml.Text(error, "Type");
            }

            requestId = (root is null ? null : AutoScalingXml.Text(root, "RequestId")) ?? requestId;
        }
        catch (XmlException)
        {
            // Not XML (a proxy's page): the status alone says what happened.
        }

        var kind = type switch
        {
            "Receiver" => ErrorType.Receiver,
            "Sender" => ErrorType.Sender,
            _ => (int)status >= 500 ? ErrorType.Receiver : ErrorType.Sender,
        };
        return new AmazonServiceException(text ?? $"HTTP {(int)status}", null, kind, string.IsNullOrEmpty(code) ? null : code, requestId, status);
    }
}
