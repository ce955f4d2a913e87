using System.Net;
using System.Security;
using System.Text.Json.Nodes;

namespace Capstan.Sandbox.Aws;

/// <summary>What the AWS stand-in answers: a status, a content type and a body, in the wire shapes the SDKs parse.</summary>
public sealed record AwsReply(int Status, string ContentType, string Body)
{
    public const string XmlContentType = "text/xml;charset=UTF-8";
    public const string JsonContentType = "application/x-amz-json-1.1";

    /// <summary>Extra response headers (SQS's <c>x-amzn-query-error</c>, for one).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public static AwsReply Xml(string body) => new(200, XmlContentType, body);

    public static AwsReply Json(JsonNode body, string contentType = JsonContentType) => new(200, contentType, body.ToJsonString());

    /// <summary>EC2's error envelope (<c>Response/Errors/Error</c>, no namespace, <c>RequestID</c>).</summary>
    public static AwsReply Ec2Error(HttpStatusCode status, string code, string message) =>
        new((int)status, XmlContentType,
            $"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>{Escape(code)}</Code><Message>{Escape(message)}</Message></Error></Errors><RequestID>{Guid.NewGuid()}</RequestID></Response>");

    /// <summary>The Query protocol's error envelope of STS, IAM and Auto Scaling (<c>ErrorResponse/Error</c>).</summary>
    public static AwsReply QueryError(HttpStatusCode status, string xmlNamespace, string code, string message, bool sender = true) =>
        new((int)status, XmlContentType,
            $"<ErrorResponse xmlns=\"{xmlNamespace}\"><Error><Type>{(sender ? "Sender" : "Receiver")}</Type><Code>{Escape(code)}</Code><Message>{Escape(message)}</Message></Error><RequestId>{Guid.NewGuid()}</RequestId></ErrorResponse>");

    /// <summary>The JSON protocols' error body (<c>__type</c> and <c>message</c>).</summary>
    public static AwsReply JsonError(HttpStatusCode status, string type, string message, string contentType = JsonContentType) =>
        new((int)status, contentType, new JsonObject { ["__type"] = type, ["message"] = message }.ToJsonString());

    private static string Escape(string text) => SecurityElement.Escape(text) ?? "";
}
