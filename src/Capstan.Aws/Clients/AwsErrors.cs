using System.Net;
using Amazon.Runtime;
using Capstan.Core.Cloud;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Capstan.Aws.Clients;

/// <summary>Turns what the SDK and Polly throw into a <see cref="CloudProviderException"/> a person can act on.</summary>
public static class AwsErrors
{
    public static CloudProviderException Translate(string service, string operation, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            CloudProviderException already => already,
            AmazonServiceException aws when !string.IsNullOrEmpty(aws.ErrorCode) => new CloudProviderException(
                operation, aws.ErrorCode, $"{service} {operation} failed: {aws.ErrorCode}: {FirstLine(aws.Message)}", AwsPipelines.IsTransient(aws), aws),
            AmazonServiceException aws when aws.StatusCode != 0 => new CloudProviderException(
                operation, ((int)aws.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture),
                $"{service} {operation} failed with HTTP {(int)aws.StatusCode} {Reason(aws.StatusCode)} and an answer that could not be read",
                AwsPipelines.IsTransient(aws), aws),
            AmazonServiceException aws => new CloudProviderException(
                operation, "Unreachable", $"{service} {operation} failed: the endpoint could not be reached or its answer could not be read", true, aws),
            TimeoutRejectedException timeout => new CloudProviderException(
                operation, "Timeout", $"{service} {operation} did not answer within {timeout.Timeout.TotalSeconds:0.#} s", true, timeout),
            BrokenCircuitException broken => new CloudProviderException(
                operation, "CircuitOpen", $"{service} calls are paused after repeated failures; {operation} was not sent (it will be tried again)", true, broken),
            AmazonClientException client => new CloudProviderException(
                operation, "ClientError", $"{service} {operation} could not be sent: {FirstLine(client.Message)}", false, client),
            HttpRequestException or IOException => new CloudProviderException(
                operation, "Unreachable", $"{service} {operation} failed: the endpoint could not be reached", true, exception),
            _ when AwsPipelines.IsTransportFailure(exception) => new CloudProviderException(
                operation, "Unreachable", $"{service} {operation} failed: the endpoint's answer could not be read", true, exception),
            _ => new CloudProviderException(operation, "Unexpected", $"{service} {operation} failed unexpectedly", false, exception),
        };
    }

    private static string FirstLine(string text)
    {
        var newline = text.IndexOfAny(['\r', '\n']);
        return (newline < 0 ? text : text[..newline]).Trim();
    }

    private static string Reason(HttpStatusCode code) => code switch
    {
        HttpStatusCode.InternalServerError => "Internal Server Error",
        HttpStatusCode.BadGateway => "Bad Gateway",
        HttpStatusCode.ServiceUnavailable => "Service Unavailable",
        HttpStatusCode.GatewayTimeout => "Gateway Timeout",
        _ => "",
    };
}
