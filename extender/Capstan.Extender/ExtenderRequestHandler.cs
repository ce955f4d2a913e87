using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Capstan.Core.Pods;
using Capstan.Extender.Wire;
using Capstan.Kubernetes.Conversions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Capstan.Extender;

/// <summary>
/// Filter and prioritize from request bytes to answer bytes: reads the envelope in one pass
/// (<see cref="ExtenderRequestReader"/>), judges or scores the candidates with <see cref="ExtenderService"/>,
/// and writes the answer with <see cref="Utf8JsonWriter"/> (<see cref="ExtenderResponseWriter"/>). The
/// answers, including 400 for bad input and the <c>Error</c> of a failed handler, are those of the
/// <see cref="ExtenderArgs"/> route through the serializer, with no allocation per node.
/// </summary>
public sealed class ExtenderRequestHandler(ExtenderService extender, ILogger<ExtenderService> logger)
{
    private readonly PodCache _pods = new();

    internal ExtenderMetrics? Metrics => extender.Metrics;

    /// <summary>Writes the filter answer for <paramref name="body"/> and returns its HTTP status.</summary>
    public int Filter(ReadOnlySpan<byte> body, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output);
        if (!TryRead(body, writer, ExtenderEndpoints.FilterVerb, out var request))
        {
            return StatusCodes.Status400BadRequest;
        }

        using (request)
        {
            var candidates = request.Candidates;
            var verdicts = ArrayPool<NodeVerdict>.Shared.Rent(candidates.Length);
            try
            {
                if (!TryConvert(body, request, writer, ExtenderEndpoints.FilterVerb, out var pod))
                {
                    return StatusCodes.Status400BadRequest;
                }

                if (extender.TryFilter(candidates, pod, verdicts.AsSpan(0, candidates.Length), out _))
                {
                    ExtenderResponseWriter.WriteFilter(output, body, request, verdicts.AsSpan(0, candidates.Length));
                }
                else
                {
                    JsonSerializer.Serialize(writer, ExtenderFilterResult.Failed(NodeVerdicts.NotSynced), ExtenderJsonContext.Default.ExtenderFilterResult);
                }
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                logger.HandlerFailed(exception, ExtenderEndpoints.FilterVerb);
                writer.Reset();
                JsonSerializer.Serialize(writer, ExtenderFilterResult.Failed($"Capstan filter failed: {exception.Message}"), ExtenderJsonContext.Default.ExtenderFilterResult);
            }
            finally
            {
                ArrayPool<NodeVerdict>.Shared.Return(verdicts);
            }
        }

        return StatusCodes.Status200OK;
    }

    /// <summary>Writes the prioritize answer for <paramref name="body"/> and returns its HTTP status.</summary>
    public int Prioritize(ReadOnlySpan<byte> body, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output);
        if (!TryRead(body, writer, ExtenderEndpoints.PrioritizeVerb, out var request))
        {
            return StatusCodes.Status400BadRequest;
        }

        using (request)
        {
            var candidates = request.Candidates;
            var scores = ArrayPool<long>.Shared.Rent(candidates.Length);
            try
            {
                if (!TryConvert(body, request, writer, ExtenderEndpoints.PrioritizeVerb, out var pod))
                {
                    return StatusCodes.Status400BadRequest;
                }

                extender.Score(candidates, pod, scores.AsSpan(0, candidates.Length));
                ExtenderResponseWriter.WritePrioritize(output, candidates, scores.AsSpan(0, candidates.Length));
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // The scheduler ignores prioritize errors anyway; an empty list contributes nothing either.
                logger.HandlerFailed(exception, ExtenderEndpoints.PrioritizeVerb);
                writer.Reset();
                writer.WriteStartArray();
                writer.WriteEndArray();
            }
            finally
            {
                ArrayPool<long>.Shared.Return(scores);
            }
        }

        return StatusCodes.Status200OK;
    }

    /// <summary>Writes <c>{"Error": reason}</c> (the body of a 400) and logs it.</summary>
    internal void WriteBadRequest(Utf8JsonWriter writer, string verb, string reason)
    {
        logger.BadRequest(verb, reason);
        extender.Metrics?.BadRequest(verb);
        JsonSerializer.Serialize(writer, new ExtenderError(ExtenderError.Sanitize(reason)), ExtenderJsonContext.Default.ExtenderError);
    }

    /// <summary>Reads and validates the envelope; on failure writes the 400 answer. JSON errors come before envelope errors, as with the serializer.</summary>
    private bool TryRead(ReadOnlySpan<byte> body, Utf8JsonWriter writer, string verb, [NotNullWhen(true)] out ExtenderRequest? request)
    {
        string? error;
        try
        {
            request = ExtenderRequestReader.Read(body, extender.Nodes, _pods);
            error = request is null ? $"the body is not a {nameof(ExtenderArgs)} object (null)" : request.Validate();
        }
        catch (JsonException json)
        {
            (request, error) = (null, $"the body is not valid {nameof(ExtenderArgs)} JSON: {json.Message}");
        }
        catch (FormatException format)
        {
            (request, error) = (null, $"the body is not a valid {nameof(ExtenderArgs)}: {format.Message}");
        }

        if (error is null && request is not null)
        {
            return true;
        }

        request?.Dispose();
        request = null;
        WriteBadRequest(writer, verb, error!);
        return false;
    }

    /// <summary>The request's pod, from the cache or converted (and then cached); on a malformed quantity writes the 400 answer.</summary>
    private bool TryConvert(ReadOnlySpan<byte> body, ExtenderRequest request, Utf8JsonWriter writer, string verb, [NotNullWhen(true)] out PodRequest? pod)
    {
        pod = request.CachedPod;
        if (pod is not null)
        {
            return true;
        }

        try
        {
            pod = PodConversions.ToPodRequest(request.ParsedPod!);
        }
        catch (FormatException format)
        {
            WriteBadRequest(writer, verb, $"ExtenderArgs.Pod: {format.Message}");
            return false;
        }

        _pods.Add(body[request.PodJson!.Value], pod);
        return true;
    }
}
