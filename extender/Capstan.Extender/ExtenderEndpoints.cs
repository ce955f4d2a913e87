using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Capstan.Extender.Wire;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace Capstan.Extender;

/// <summary>
/// The HTTP handlers: filter and prioritize hand the body to <see cref="ExtenderRequestHandler"/> (one
/// streaming pass, the hot path), bind reads the PascalCase envelope with <see cref="ExtenderJsonContext"/>.
/// All answer 400 with <c>{"Error": "..."}</c> for bad input, and otherwise always 200 (a handler failure
/// becomes an <c>Error</c> the scheduler understands, never a 500).
/// </summary>
internal static class ExtenderEndpoints
{
    public const string FilterVerb = "filter";
    public const string PrioritizeVerb = "prioritize";
    public const string BindVerb = "bind";

    public static Task<Results<PooledJsonResult, JsonHttpResult<ExtenderError>>> FilterAsync(
        HttpRequest request, [FromServices] ExtenderRequestHandler handler, [FromServices] ILogger<ExtenderService> logger, CancellationToken cancellationToken) =>
        AnswerAsync(request, FilterVerb, handler.Filter, handler.Metrics, logger, cancellationToken);

    public static Task<Results<PooledJsonResult, JsonHttpResult<ExtenderError>>> PrioritizeAsync(
        HttpRequest request, [FromServices] ExtenderRequestHandler handler, [FromServices] ILogger<ExtenderService> logger, CancellationToken cancellationToken) =>
        AnswerAsync(request, PrioritizeVerb, handler.Prioritize, handler.Metrics, logger, cancellationToken);

    public static async Task<Results<JsonHttpResult<ExtenderBindingResult>, JsonHttpResult<ExtenderError>>> BindAsync(
        HttpRequest request, [FromServices] ExtenderService extender, [FromServices] ILogger<ExtenderService> logger, CancellationToken cancellationToken)
    {
        var (args, error) = await ReadAsync(request, ExtenderJsonContext.Default.ExtenderBindingArgs, cancellationToken);
        error ??= ExtenderService.Validate(args);
        if (error is not null)
        {
            return BadRequest(logger, extender.Metrics, BindVerb, error);
        }

        try
        {
            return Ok(await extender.BindAsync(args!, cancellationToken), ExtenderJsonContext.Default.ExtenderBindingResult);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException and not OperationCanceledException)
        {
            logger.HandlerFailed(exception, BindVerb);
            extender.Metrics?.BindFinished(BindResults.Failed);
            return Ok(ExtenderBindingResult.Failed($"Capstan bind failed: {exception.Message}"), ExtenderJsonContext.Default.ExtenderBindingResult);
        }
    }

    /// <summary>
    /// Reads the whole body into pooled memory (the handlers parse it in one synchronous pass) and lets the
    /// handler write the answer into pooled memory too.
    /// </summary>
    private static async Task<Results<PooledJsonResult, JsonHttpResult<ExtenderError>>> AnswerAsync(
        HttpRequest request, string verb, Answer answer, ExtenderMetrics? metrics, ILogger logger, CancellationToken cancellationToken)
    {
        using var body = new PooledBufferWriter(InitialBodyCapacity(request.ContentLength));
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(body.GetMemory(), cancellationToken)) > 0)
            {
                body.Advance(read);
            }
        }
        catch (BadHttpRequestException bad)
        {
            return BadRequest(logger, metrics, verb, $"the request body could not be read: {bad.Message}");
        }

        var output = new PooledBufferWriter(body.WrittenMemory.Length);
        var status = answer(body.WrittenSpan, output);
        return new PooledJsonResult(output, status);
    }

    /// <summary>Room for the announced body plus the one byte that shows it ended, within reason before any byte arrived.</summary>
    private static int InitialBodyCapacity(long? contentLength) => (int)Math.Clamp((contentLength ?? 0) + 1, 4096, 1 << 20);

    private static async Task<(T? Value, string? Error)> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            var value = await JsonSerializer.DeserializeAsync(request.Body, typeInfo, cancellationToken);
            return value is null ? (null, $"the body is not a {typeof(T).Name} object (null)") : (value, null);
        }
        catch (JsonException json)
        {
            return (null, $"the body is not valid {typeof(T).Name} JSON: {json.Message}");
        }
        catch (BadHttpRequestException bad)
        {
            return (null, $"the request body could not be read: {bad.Message}");
        }
        catch (FormatException format)
        {
            return (null, $"the body is not a valid {typeof(T).Name}: {format.Message}");
        }
    }

    private delegate int Answer(ReadOnlySpan<byte> body, IBufferWriter<byte> output);

    private static JsonHttpResult<T> Ok<T>(T value, JsonTypeInfo<T> typeInfo) =>
        TypedResults.Json(value, typeInfo, contentType: "application/json");

    private static JsonHttpResult<ExtenderError> BadRequest(ILogger logger, ExtenderMetrics? metrics, string verb, string reason)
    {
        logger.BadRequest(verb, reason);
        metrics?.BadRequest(verb);
        return TypedResults.Json(new ExtenderError(ExtenderError.Sanitize(reason)), ExtenderJsonContext.Default.ExtenderError, "application/json", StatusCodes.Status400BadRequest);
    }
}
