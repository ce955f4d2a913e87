namespace Capstan.Core.Scheduling;

/// <summary>
/// A Kubernetes label selector over pod labels: <c>matchLabels</c> folded into In requirements,
/// <c>matchExpressions</c> as requirements (In, NotIn, Exists, DoesNotExist). An empty selector
/// matches everything.
/// </summary>
public sealed record LabelSelector(Requirements Requirements)
{
    public static readonly LabelSelector Everything = new(Requirements.Empty);

    public static LabelSelector MatchLabels(IEnumerable<KeyValuePair<string, string>> labels) =>
        new(Requirements.Create(labels.Select(l => Requirement.In(l.Key, l.Value))));

    public static LabelSelector MatchLabels(string key, string value) => MatchLabels([KeyValuePair.Create(key, value)]);

    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        foreach (var r in Requirements)
        {
            if (labels.TryGetValue(r.Key, out var value) ? !r.Allows(value) : !r.AllowsAbsent)
            {
                return false;
            }
        }

        return true;
    }

    public override string ToString() => Requirements.Count == 0 ? "{}" : Requirements.ToString();
}
