using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Capstan.Extender.Wire;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace Capstan.Extender;

/// <summary>
/// The HTTP handlers: read the PascalCase envelope with <see cref="ExtenderJsonContext"/>, answer 400 with
/// <c>{"Error": "..."}</c> for bad input, and otherwise always 200 (a handler failure becomes an
/// <c>Error</c> the scheduler understands, never a 500).
/// </summary>
internal static class ExtenderEndpoints
{
    public const string FilterVerb = "filter";
    public const string PrioritizeVerb = "prioritize";
    public const string BindVerb = "bind";

    public static async Task<Results<JsonHttpResult<ExtenderFilterResult>, JsonHttpResult<ExtenderError>>> FilterAsync(
        HttpRequest request, [FromServices] ExtenderService extender, [FromServices] ILogger<ExtenderService> logger, CancellationToken cancellationToken)
    {
        var (args, error) = await ReadAsync(request, ExtenderJsonContext.Default.ExtenderArgs, cancellationToken);
        error ??= ExtenderService.Validate(args);
        if (error is not null)
        {
            return BadRequest(logger, FilterVerb, error);
        }

        try
        {
            var pod = ExtenderService.PodOf(args!);
            return Ok(extender.Filter(args!, pod), ExtenderJsonContext.Default.ExtenderFilterResult);
        }
        catch (FormatException format)
        {
            return BadRequest(logger, FilterVerb, $"ExtenderArgs.Pod: {format.Message}");
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            logger.HandlerFailed(exception, FilterVerb);
            return Ok(ExtenderFilterResult.Failed($"Capstan filter failed: {exception.Message}"), ExtenderJsonContext.Default.ExtenderFilterResult);
        }
    }

    public static async Task<Results<JsonHttpResult<HostPriorityList>, JsonHttpResult<ExtenderError>>> PrioritizeAsync(
        HttpRequest request, [FromServices] ExtenderService extender, [FromServices] ILogger<ExtenderService> logger, CancellationToken cancellationToken)
    {
        var (args, error) = await ReadAsync(request, ExtenderJsonContext.Default.ExtenderArgs, cancellationToken);
        error ??= ExtenderService.Validate(args);
        if (error is not null)
        {
            return BadRequest(logger, PrioritizeVerb, error);
        }

        try
        {
            var pod = ExtenderService.PodOf(args!);
            return Ok(extender.Prioritize(args!, pod), ExtenderJsonContext.Default.HostPriorityList);
        }
        catch (FormatException format)
        {
            return BadRequest(logger, PrioritizeVerb, $"ExtenderArgs.Pod: {format.Message}");
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // The scheduler ignores prioritize errors anyway; an empty list contributes nothing either.
            logger.HandlerFailed(exception, PrioritizeVerb);
            return Ok([], ExtenderJsonContext.Default.HostPriorityList);
        }
    }

    public static async Task<Results<JsonHttpResult<ExtenderBindingResult>, JsonHttpResult<ExtenderError>>> BindAsync(
        HttpRequest request, [FromServices] ExtenderService extender, [FromServices] ILogger<ExtenderService> logger, CancellationToken cancellationToken)
    {
        var (args, error) = await ReadAsync(request, ExtenderJsonContext.Default.ExtenderBindingArgs, cancellationToken);
        error ??= ExtenderService.Validate(args);
        if (error is not null)
        {
            return BadRequest(logger, BindVerb, error);
        }

        try
        {
            return Ok(await extender.BindAsync(args!, cancellationToken), ExtenderJsonContext.Default.ExtenderBindingResult);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException and not OperationCanceledException)
        {
            logger.HandlerFailed(exception, BindVerb);
            return Ok(ExtenderBindingResult.Failed($"Capstan bind failed: {exception.Message}"), ExtenderJsonContext.Default.ExtenderBindingResult);
        }
    }

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

    private static JsonHttpResult<T> Ok<T>(T value, JsonTypeInfo<T> typeInfo) =>
        TypedResults.Json(value, typeInfo, contentType: "application/json");

    private static JsonHttpResult<ExtenderError> BadRequest(ILogger logger, string verb, string reason)
    {
        logger.BadRequest(verb, reason);
        return TypedResults.Json(new ExtenderError(ExtenderError.Sanitize(reason)), ExtenderJsonContext.Default.ExtenderError, "application/json", StatusCodes.Status400BadRequest);
    }
}
