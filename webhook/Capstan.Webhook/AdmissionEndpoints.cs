using System.Buffers;
using System.Text.Json;
using Capstan.Core.Ports;
using Capstan.Webhook.Admission;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace Capstan.Webhook;

/// <summary>
/// The HTTP side of the webhook: static minimal-API handlers that read a bounded body, check the envelope, and answer
/// HTTP 200 with an AdmissionReview, or 400/413 with a plain reason when the body is not a usable AdmissionReview.
/// </summary>
public static class AdmissionEndpoints
{
    /// <summary>The largest AdmissionReview body accepted (3 MiB, the API server's own request limit).</summary>
    public const int MaxBodyBytes = 3 * 1024 * 1024;

    public static Task<Results<JsonHttpResult<AdmissionReview>, ProblemHttpResult>> MutateAsync(
        HttpContext context, AdmissionReviewer reviewer, ILogger<AdmissionReviewer> logger) =>
        HandleAsync(context, logger, failClosed: true, reviewer.Mutate);

    public static Task<Results<JsonHttpResult<AdmissionReview>, ProblemHttpResult>> ValidateAsync(
        HttpContext context, AdmissionReviewer reviewer, ILogger<AdmissionReviewer> logger) =>
        HandleAsync(context, logger, failClosed: true, reviewer.Validate);

    public static Task<Results<JsonHttpResult<AdmissionReview>, ProblemHttpResult>> ValidatePodsAsync(
        HttpContext context, AdmissionReviewer reviewer, ILogger<AdmissionReviewer> logger, [FromServices] IClusterState? cluster = null) =>
        HandleAsync(context, logger, failClosed: false, review => reviewer.AdvisePod(review, cluster));

    private static async Task<Results<JsonHttpResult<AdmissionReview>, ProblemHttpResult>> HandleAsync(
        HttpContext context, ILogger logger, bool failClosed, Func<AdmissionReview, AdmissionReview> decide)
    {
        var path = context.Request.Path.Value ?? "";
        var (review, status, reason) = await ReadAsync(context.Request, context.RequestAborted);
        if (review is null)
        {
            logger.BadAdmissionReview(path, status, reason);
            return TypedResults.Problem(reason, statusCode: status, title: status == 413 ? "Payload Too Large" : "Bad Request");
        }

        AdmissionReview reply;
        try
        {
            reply = decide(review);
        }
#pragma warning disable CA1031 // an admission webhook must answer; a bug becomes a denial (or an allow for advisory hooks), never a 500
        catch (Exception e)
#pragma warning restore CA1031
        {
            logger.AdmissionFailed(e, review.Request!.Uid!, path);
            var uid = review.Request!.Uid!;
            reply = AdmissionReviewer.Reply(review, failClosed
                ? AdmissionResponse.Deny(uid, 500, "InternalError", $"Capstan could not review this object because of an internal error (request {uid}); the details are in Capstan's log")
                : AdmissionResponse.Allow(uid));
        }

        return TypedResults.Json(reply, WebhookJsonContext.Default.AdmissionReview);
    }

    /// <summary>Reads and checks the envelope; on failure returns null with the HTTP status and the reason.</summary>
    internal static async Task<(AdmissionReview? Review, int Status, string Reason)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return (null, 413, $"the body is {request.ContentLength} bytes; the limit is {MaxBodyBytes}");
        }

        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (buffer.Length > MaxBodyBytes)
                    {
                        return (null, 413, $"the body is larger than the limit of {MaxBodyBytes} bytes");
                    }

                    var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken);
                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > MaxBodyBytes)
                {
                    return (null, 413, $"the body is larger than the limit of {MaxBodyBytes} bytes");
                }
            }

            return Parse(buffer.AsSpan(0, length));
        }
        catch (BadHttpRequestException e)
        {
            return (null, e.StatusCode == 413 ? 413 : 400, e.StatusCode == 413 ? "the body is larger than the server accepts" : "the request body could not be read");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Parses an AdmissionReview body; null with 400 and the reason when it is not one Capstan can answer.</summary>
    public static (AdmissionReview? Review, int Status, string Reason) Parse(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return (null, 400, "the body is empty; expected an AdmissionReview");
        }

        AdmissionReview? review;
        try
        {
            review = JsonSerializer.Deserialize(body, WebhookJsonContext.Default.AdmissionReview);
        }
        catch (JsonException e)
        {
            var where = e.Path is { Length: > 0 } p ? $" at {p}" : "";
            return (null, 400, $"the body is not an AdmissionReview: invalid JSON or a wrong type{where} (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})");
        }

        if (review is null)
        {
            return (null, 400, "the body is null; expected an AdmissionReview");
        }

        if (review.Kind != AdmissionReview.KindName || review.ApiVersion is not (AdmissionReview.V1 or AdmissionReview.V1Beta1))
        {
            return (null, 400, $"expected apiVersion {AdmissionReview.V1} and kind {AdmissionReview.KindName}, got \"{review.ApiVersion}\" \"{review.Kind}\"");
        }

        if (review.Request is not { } request)
        {
            return (null, 400, "the AdmissionReview has no request");
        }

        if (string.IsNullOrEmpty(request.Uid))
        {
            return (null, 400, "request.uid is missing");
        }

        if (request.Kind is null || string.IsNullOrEmpty(request.Kind.Kind))
        {
            return (null, 400, "request.kind is missing");
        }

        if (string.IsNullOrEmpty(request.Operation))
        {
            return (null, 400, "request.operation is missing");
        }

        if (request.Operation is AdmissionRequest.Create or AdmissionRequest.Update && request.Object is not { ValueKind: JsonValueKind.Object })
        {
            return (null, 400, $"request.object must be an object for {request.Operation}");
        }

        return (review, 200, "");
    }
}
