using System.Net;
using System.Text.Json.Nodes;

namespace Capstan.Sandbox.Aws;

/// <summary>
/// SSM Parameter Store behind the <see cref="AwsStandIn"/> (JSON 1.1, <c>AmazonSSM.GetParameter</c> and
/// <c>GetParameters</c>): seed parameters with <see cref="Put"/>, e.g. the EKS-optimised AMI ids under
/// <c>/aws/service/...</c>. A missing name is <c>ParameterNotFound</c> for GetParameter and an entry of
/// <c>InvalidParameters</c> for GetParameters, as SSM answers.
/// </summary>
public sealed class SsmStandIn(TimeProvider? time = null) : IAwsService
{
    private const int MaxNames = 10;
    private readonly Dictionary<string, (string Value, long Version, DateTimeOffset Modified)> _parameters = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public string Name => "ssm";

    public string Region { get; init; } = "us-east-1";

    /// <summary>Sets a parameter (a new version when it exists).</summary>
    public void Put(string name, string value)
    {
        lock (_gate)
        {
            var version = _parameters.TryGetValue(name, out var old) ? old.Version + 1 : 1;
            _parameters[name] = (value, version, _time.GetUtcNow());
        }
    }

    public bool Delete(string name)
    {
        lock (_gate)
        {
            return _parameters.Remove(name);
        }
    }

    public ValueTask<AwsReply> HandleAsync(AwsCall request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_gate)
        {
            return ValueTask.FromResult(request.Action switch
            {
                "GetParameter" => GetParameter(request.Json),
                "GetParameters" => GetParameters(request.Json),
                _ => AwsReply.JsonError(HttpStatusCode.BadRequest, "UnknownOperationException", $"The operation {request.Action} is not supported by this stand-in"),
            });
        }
    }

    private AwsReply GetParameter(JsonNode? body)
    {
        var name = body?[nameof(Name)]?.GetValue<string>();
        if (string.IsNullOrEmpty(name))
        {
            return Validation("Value null at 'name' failed to satisfy constraint: Member must not be null");
        }

        return _parameters.ContainsKey(name)
            ? AwsReply.Json(new JsonObject { ["Parameter"] = Parameter(name) })
            : AwsReply.JsonError(HttpStatusCode.BadRequest, "ParameterNotFound", "");
    }

    private AwsReply GetParameters(JsonNode? body)
    {
        if (body?["Names"] is not JsonArray array || array.Count == 0)
        {
            return Validation("Value null at 'names' failed to satisfy constraint: Member must not be null");
        }

        var names = array.Select(n => n?.GetValue<string>() ?? "").ToList();
        if (names.Count > MaxNames)
        {
            return Validation($"Value '[{string.Join(", ", names)}]' at 'names' failed to satisfy constraint: Member must have length less than or equal to {MaxNames}");
        }

        var found = new JsonArray();
        var invalid = new JsonArray();
        foreach (var name in names.Distinct(StringComparer.Ordinal))
        {
            if (_parameters.ContainsKey(name))
            {
                found.Add(Parameter(name));
            }
            else
            {
                invalid.Add(name);
            }
        }

        return AwsReply.Json(new JsonObject { ["Parameters"] = found, ["InvalidParameters"] = invalid });
    }

    private JsonObject Parameter(string name)
    {
        var (value, version, modified) = _parameters[name];
        var publicParameter = name.StartsWith("/aws/service/", StringComparison.Ordinal);
        return new JsonObject
        {
            [nameof(Name)] = name,
            ["Type"] = "String",
            ["Value"] = value,
            ["Version"] = version,
            ["LastModifiedDate"] = modified.ToUnixTimeMilliseconds() / 1000.0,
            ["ARN"] = $"arn:aws:ssm:{Region}:{(publicParameter ? "" : "123456789012")}:parameter{(name.StartsWith('/') ? name : "/" + name)}",
            ["DataType"] = value.StartsWith("ami-", StringComparison.Ordinal) ? "aws:ec2:image" : "text",
        };
    }

    private static AwsReply Validation(string message) =>
        AwsReply.JsonError(HttpStatusCode.BadRequest, "ValidationException", "1 validation error detected: " + message);
}
