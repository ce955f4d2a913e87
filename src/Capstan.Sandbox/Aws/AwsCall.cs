using System.Text.Json.Nodes;

namespace Capstan.Sandbox.Aws;

/// <summary>
/// One request the AWS stand-in received, decoded: the service (from the SigV4 credential scope), the action
/// (<c>Action=</c> of the Query protocol, or the <c>X-Amz-Target</c> of the JSON protocols) and its parameters.
/// </summary>
public sealed record AwsCall
{
    public required string Service { get; init; }

    public required string Action { get; init; }

    /// <summary>Query-protocol parameters (EC2, STS, Auto Scaling), exactly as sent: <c>Filter.1.Value.1</c> and so on.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The JSON body of a JSON-protocol call (SSM, SQS, Pricing); null for the Query protocol.</summary>
    public JsonNode? Json { get; init; }

    public required string Body { get; init; }

    /// <summary>Request headers (names lower-cased).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>A Query parameter, or null.</summary>
    public string? Get(string name) => Parameters.TryGetValue(name, out var value) ? value : null;

    /// <summary>
    /// The values of a Query list, in index order: <c>List("InstanceId")</c> reads <c>InstanceId.1</c>,
    /// <c>InstanceId.2</c>, ... up to the first gap.
    /// </summary>
    public IReadOnlyList<string> List(string prefix)
    {
        var values = new List<string>();
        for (var i = 1; Parameters.TryGetValue($"{prefix}.{i}", out var value); i++)
        {
            values.Add(value);
        }

        return values;
    }

    /// <summary>
    /// The members of a Query list of structures, in index order: <c>Structures("Filter")</c> gives, for
    /// <c>Filter.1.Name=a&amp;Filter.1.Value.1=b</c>, one dictionary <c>{Name: a, Value.1: b}</c>.
    /// </summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> Structures(string prefix)
    {
        var result = new List<IReadOnlyDictionary<string, string>>();
        for (var i = 1; ; i++)
        {
            var head = $"{prefix}.{i}.";
            var members = Parameters.Where(p => p.Key.StartsWith(head, StringComparison.Ordinal))
                .ToDictionary(p => p.Key[head.Length..], p => p.Value, StringComparer.Ordinal);
            if (members.Count == 0)
            {
                return result;
            }

            result.Add(members);
        }
    }

    /// <summary>EC2's <c>Filter.N.Name</c> / <c>Filter.N.Value.M</c>, as name -> values.</summary>
    public IReadOnlyList<(string Name, IReadOnlyList<string> Values)> Filters()
    {
        var filters = new List<(string, IReadOnlyList<string>)>();
        foreach (var filter in Structures("Filter"))
        {
            var values = new List<string>();
            for (var i = 1; filter.TryGetValue($"Value.{i}", out var value); i++)
            {
                values.Add(value);
            }

            filters.Add((filter.TryGetValue("Name", out var name) ? name : "", values));
        }

        return filters;
    }
}
