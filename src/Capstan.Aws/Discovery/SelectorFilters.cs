using Amazon.EC2.Model;

namespace Capstan.Aws.Discovery;

/// <summary>
/// Turns a node template's selector into EC2 <c>Filter</c>s, so EC2 does the matching (never list everything and
/// filter here): <c>key: value</c> gives <c>tag:key</c> with the value, comma-separated values several values of
/// that one filter (any of them matches); <c>key: '*'</c> or an empty value gives <c>tag-key</c>; <c>aws-ids</c> /
/// <c>aws::ids</c> give the resource's id filter with the comma-separated ids.
/// </summary>
public static class SelectorFilters
{
    public const string IdsKey = "aws-ids";
    public const string IdsKeyV031 = "aws::ids";

    /// <summary>The filters for a selector; <paramref name="idFilterName"/> is <c>subnet-id</c>, <c>group-id</c> or <c>image-id</c>.</summary>
    public static List<Filter> For(IReadOnlyDictionary<string, string> selector, string idFilterName)
    {
        ArgumentNullException.ThrowIfNull(selector);
        var filters = new List<Filter>(selector.Count);
        foreach (var (key, value) in selector.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            if (IsIdsKey(key))
            {
                filters.Add(new Filter(idFilterName, Split(value)));
            }
            else if (string.IsNullOrWhiteSpace(value) || value.Trim() == "*")
            {
                filters.Add(new Filter("tag-key", [key]));
            }
            else
            {
                filters.Add(new Filter("tag:" + key, Split(value)));
            }
        }

        return filters;
    }

    public static bool IsIdsKey(string key) => key is IdsKey or IdsKeyV031;

    /// <summary>The selector as one line for messages and cache keys (<c>karpenter.sh/discovery=demo, aws-ids=subnet-1</c>).</summary>
    public static string Describe(IReadOnlyDictionary<string, string> selector)
    {
        ArgumentNullException.ThrowIfNull(selector);
        return string.Join(", ", selector.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key}={s.Value}"));
    }

    internal static List<string> Split(string value) =>
        [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
}
