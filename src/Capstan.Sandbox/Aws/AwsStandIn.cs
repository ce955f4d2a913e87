using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Capstan.Sandbox.Aws;

/// <summary>
/// An in-process HTTP endpoint that answers the AWS SDKs as AWS does: one listener for every service, which it
/// tells apart by the SigV4 credential scope the SDK signs with (<c>Credential=AKID/date/region/ec2/aws4_request</c>),
/// decoding the Query protocol (form body, <c>Action=</c>) and the JSON protocols (<c>X-Amz-Target</c>). Point the
/// SDK at it with <c>AWS_ENDPOINT_URL</c> (or a client's <c>ServiceURL</c>). It records every call and can be told
/// to fail calls (<see cref="Fail"/>), deterministically for a given seed.
/// </summary>
public sealed partial class AwsStandIn : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, IAwsService> _services = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<AwsCall> _calls = new();
    private readonly List<AwsFaultRuleState> _faults = [];
    private readonly Lock _faultGate = new();
    private readonly TimeProvider _time;
    private readonly Random _random;
    private WebApplication? _app;

    public AwsStandIn(TimeProvider? time = null, int seed = 1)
    {
        _time = time ?? TimeProvider.System;
        _random = new Random(seed);
    }

    /// <summary>The endpoint to give the SDK (<c>http://127.0.0.1:port/</c>); set once started.</summary>
    public Uri Endpoint { get; private set; } = new("http://127.0.0.1/");

    /// <summary>Every call received, faulted ones included, in arrival order.</summary>
    public IReadOnlyList<AwsCall> Calls => [.. _calls];

    /// <summary>The calls of one service and action.</summary>
    public IReadOnlyList<AwsCall> CallsOf(string service, string action) =>
        [.. _calls.Where(c => c.Service == service && c.Action == action)];

    /// <summary>Adds (or replaces) the service that answers calls signed for <see cref="IAwsService.Name"/>.</summary>
    public AwsStandIn Add(IAwsService service)
    {
        ArgumentNullException.ThrowIfNull(service);
        _services[service.Name] = service;
        return this;
    }

    /// <summary>Makes matching calls fail; rules are tried in the order added.</summary>
    public void Fail(AwsFaultRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        lock (_faultGate)
        {
            _faults.Add(new AwsFaultRuleState(rule));
        }
    }

    /// <summary>Removes every fault rule.</summary>
    public void Heal()
    {
        lock (_faultGate)
        {
            _faults.Clear();
        }
    }

    public void ClearCalls() => _calls.Clear();

    /// <summary>Starts listening on <paramref name="url"/> (default a free loopback port).</summary>
    public async Task<AwsStandIn> StartAsync(string url = "http://127.0.0.1:0")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(url);
        var app = builder.Build();
        app.Run(HandleAsync);
        await app.StartAsync();
        _app = app;
        Endpoint = new Uri(app.Urls.First().TrimEnd('/') + "/");
        return this;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    [GeneratedRegex(@"Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request")]
    private static partial Regex CredentialScope();

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        string body;
        using (var reader = new StreamReader(request.Body, Encoding.UTF8))
        {
            body = await reader.ReadToEndAsync(context.RequestAborted);
        }

        var headers = request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal);
        var call = Decode(request, headers, body);
        if (call is null)
        {
            await WriteAsync(context, new AwsReply(400, "text/plain", "the AWS stand-in could not tell the service or action of this request"));
            return;
        }

        _calls.Enqueue(call);
        var (fault, delay) = DrawFault(call);
        if (delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(delay, _time, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        AwsReply reply;
        if (fault is { } f && f != AwsFault.Hang)
        {
            reply = AwsFaultRule.Reply(f, call);
        }
        else if (_services.TryGetValue(call.Service, out var service))
        {
            reply = await service.HandleAsync(call, context.RequestAborted);
        }
        else
        {
            reply = AwsReply.JsonError(System.Net.HttpStatusCode.BadRequest, "UnknownService", $"the AWS stand-in does not serve '{call.Service}'");
        }

        await WriteAsync(context, reply);
    }

    private AwsCall? Decode(HttpRequest request, Dictionary<string, string> headers, string body)
    {
        headers.TryGetValue("authorization", out var authorization);
        var scope = authorization is null ? null : CredentialScope().Match(authorization);
        var service = scope is { Success: true } ? scope.Groups[1].Value : null;
        var now = _time.GetUtcNow();
        if (headers.TryGetValue("x-amz-target", out var target))
        {
            var dot = target.LastIndexOf('.');
            JsonNode? json;
            try
            {
                json = string.IsNullOrWhiteSpace(body) ? new JsonObject() : JsonNode.Parse(body);
            }
            catch (JsonException)
            {
                json = null;
            }

            service ??= ServiceOfTarget(target[..Math.Max(dot, 0)]);
            return service is null
                ? null
                : new AwsCall { Service = service, Action = target[(dot + 1)..], Json = json ?? new JsonObject(), Body = body, Headers = headers, ReceivedAt = now };
        }

        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in request.Query)
        {
            parameters[key] = value.ToString();
        }

        foreach (var pair in body.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=');
            var key = Uri.UnescapeDataString((eq < 0 ? pair : pair[..eq]).Replace('+', ' '));
            var value = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..].Replace('+', ' '));
            parameters[key] = value;
        }

        if (!parameters.TryGetValue("Action", out var action))
        {
            return null;
        }

        // The calls STS takes unsigned (the SDK's web identity provider sends no Authorization header).
        service ??= action is "AssumeRoleWithWebIdentity" or "AssumeRoleWithSAML" ? "sts" : null;
        if (service is null)
        {
            return null;
        }

        return new AwsCall { Service = service, Action = action, Parameters = parameters, Body = body, Headers = headers, ReceivedAt = now };
    }

    /// <summary>The signing name for a JSON target prefix, for unsigned requests.</summary>
    private static string? ServiceOfTarget(string prefix) => prefix switch
    {
        "AmazonSSM" => "ssm",
        "AmazonSQS" => "sqs",
        "AWSPriceListService" => "pricing",
        _ => null,
    };

    private (AwsFault? Fault, TimeSpan Delay) DrawFault(AwsCall call)
    {
        lock (_faultGate)
        {
            foreach (var state in _faults)
            {
                var rule = state.Rule;
                if (rule.Service != call.Service || (rule.Action is not null && rule.Action != call.Action) || state.Spent)
                {
                    continue;
                }

                if (rule.Probability < 1 && _random.NextDouble() >= rule.Probability)
                {
                    continue;
                }

                state.Hit();
                return (rule.Fault, rule.Fault == AwsFault.Hang ? rule.Delay : TimeSpan.Zero);
            }
        }

        return (null, TimeSpan.Zero);
    }

    private static async Task WriteAsync(HttpContext context, AwsReply reply)
    {
        context.Response.StatusCode = reply.Status;
        context.Response.ContentType = reply.ContentType;
        context.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
        foreach (var (name, value) in reply.Headers)
        {
            context.Response.Headers[name] = value;
        }

        await context.Response.WriteAsync(reply.Body, context.RequestAborted);
    }

    private sealed class AwsFaultRuleState(AwsFaultRule rule)
    {
        private int _hits;

        public AwsFaultRule Rule { get; } = rule;

        public bool Spent => Rule.Times is { } times && _hits >= times;

        public void Hit() => _hits++;
    }
}
