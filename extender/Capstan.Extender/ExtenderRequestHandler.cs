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
    public int Filter(ReadOnlySpan<byte> body, IBufferWriter<byte> output) =>
        Answer<NodeVerdict>(body, output, ExtenderEndpoints.FilterVerb, AnswerFilter, WriteFilterFailure);

    /// <summary>Writes the prioritize answer for <paramref name="body"/> and returns its HTTP status.</summary>
    public int Prioritize(ReadOnlySpan<byte> body, IBufferWriter<byte> output) =>
        Answer<long>(body, output, ExtenderEndpoints.PrioritizeVerb, AnswerPrioritize, WritePrioritizeFailure);

    /// <summary>
    /// What both verbs share: read the envelope and the Pod (400 on bad input), rent one slot per candidate for
    /// the verdicts or scores, let <paramref name="answer"/> write the answer, and turn a failure into the
    /// verb's failure answer. The verb-specific parts are static, so passing them allocates nothing.
    /// </summary>
    private int Answer<TSlot>(ReadOnlySpan<byte> body, IBufferWriter<byte> output, string verb, VerbAnswer<TSlot> answer, Action<Utf8JsonWriter, string> writeFailure)
    {
        using var writer = new Utf8JsonWriter(output);
        if (!TryRead(body, writer, verb, out var request))
        {
            return StatusCodes.Status400BadRequest;
        }

        using (request)
        {
            var slots = ArrayPool<TSlot>.Shared.Rent(request.Candidates.Length);
            try
            {
                if (!TryConvert(body, request, writer, verb, out var pod))
                {
                    return StatusCodes.Status400BadRequest;
                }

                answer(extender, body, request, pod, slots.AsSpan(0, request.Candidates.Length), output, writer);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                logger.HandlerFailed(exception, verb);
                writer.Reset();
                writeFailure(writer, exception.Message);
            }
            finally
            {
                ArrayPool<TSlot>.Shared.Return(slots);
            }
        }

        return StatusCodes.Status200OK;
    }

    private static void AnswerFilter(ExtenderService extender, ReadOnlySpan<byte> body, ExtenderRequest request, PodRequest pod,
        Span<NodeVerdict> verdicts, IBufferWriter<byte> output, Utf8JsonWriter writer)
    {
        if (extender.TryFilter(request.Candidates, request.CandidateStates, pod, verdicts, out _))
        {
            ExtenderResponseWriter.WriteFilter(output, body, request, verdicts);
        }
        else
        {
            JsonSerializer.Serialize(writer, ExtenderFilterResult.Failed(NodeVerdicts.NotSynced), ExtenderJsonContext.Default.ExtenderFilterResult);
        }
    }

    private static void AnswerPrioritize(ExtenderService extender, ReadOnlySpan<byte> body, ExtenderRequest request, PodRequest pod,
        Span<long> scores, IBufferWriter<byte> output, Utf8JsonWriter writer)
    {
        extender.Score(request.Candidates, pod, scores);
        ExtenderResponseWriter.WritePrioritize(output, request.Candidates, scores);
    }

    private static void WriteFilterFailure(Utf8JsonWriter writer, string message) =>
        JsonSerializer.Serialize(writer, ExtenderFilterResult.Failed($"Capstan filter failed: {message}"), ExtenderJsonContext.Default.ExtenderFilterResult);

    /// <summary>The scheduler ignores prioritize errors anyway; an empty list contributes nothing either.</summary>
    private static void WritePrioritizeFailure(Utf8JsonWriter writer, string message)
    {
        writer.WriteStartArray();
        writer.WriteEndArray();
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

    private delegate void VerbAnswer<TSlot>(ExtenderService extender, ReadOnlySpan<byte> body, ExtenderRequest request, PodRequest pod,
        Span<TSlot> slots, IBufferWriter<byte> output, Utf8JsonWriter writer);
}
