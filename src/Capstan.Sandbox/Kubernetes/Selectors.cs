using System.Text.Json.Nodes;

namespace Capstan.Sandbox.Kubernetes;

/// <summary>
/// A <c>labelSelector</c> in the query form kubectl and client-go send: <c>a=b</c>, <c>a==b</c>, <c>a!=b</c>,
/// <c>a in (x,y)</c>, <c>a notin (x)</c>, <c>a</c> and <c>!a</c>, comma-separated, all of which must hold.
/// </summary>
public sealed class LabelSelector
{
    private readonly List<Func<JsonObject?, bool>> _terms;

    private LabelSelector(List<Func<JsonObject?, bool>> terms) => _terms = terms;

    /// <summary>Null for an empty selector; 400 in words for one that does not parse.</summary>
    public static LabelSelector? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var terms = new List<Func<JsonObject?, bool>>();
        foreach (var term in SplitTerms(text))
        {
            var t = term.Trim();
            if (t.Length == 0)
            {
                continue;
            }

            if (t.Contains(" notin ", StringComparison.Ordinal) || t.Contains(" in ", StringComparison.Ordinal))
            {
                var notIn = t.Contains(" notin ", StringComparison.Ordinal);
                var parts = t.Split(notIn ? " notin " : " in ", 2, StringSplitOptions.TrimEntries);
                var set = parts[1].Trim().TrimStart('(').TrimEnd(')').Split(',', StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
                var key = parts[0];
                terms.Add(notIn
                    ? labels => !(Value(labels, key) is { } v && set.Contains(v))
                    : labels => Value(labels, key) is { } v && set.Contains(v));
            }
            else if (t.Contains("!=", StringComparison.Ordinal))
            {
                var (key, value) = Split(t, "!=");
                terms.Add(labels => Value(labels, key) != value);
            }
            else if (t.Contains('=', StringComparison.Ordinal))
            {
                var (key, value) = Split(t, t.Contains("==", StringComparison.Ordinal) ? "==" : "=");
                terms.Add(labels => Value(labels, key) == value);
            }
            else if (t.StartsWith('!'))
            {
                var key = t[1..].Trim();
                terms.Add(labels => Value(labels, key) is null);
            }
            else if (IsKey(t))
            {
                terms.Add(labels => Value(labels, t) is not null);
            }
            else
            {
                throw ApiException.BadRequest($"unable to parse requirement: \"{t}\" is not a valid label selector term");
            }
        }

        return new LabelSelector(terms);
    }

    /// <summary>Whether an object's labels match a <c>metav1.LabelSelector</c> (matchLabels and matchExpressions).</summary>
    public static bool Matches(JsonNode? selector, JsonObject? labels)
    {
        if (selector is not JsonObject s)
        {
            return false;
        }

        foreach (var (key, value) in s["matchLabels"] as JsonObject ?? [])
        {
            if (Value(labels, key) != (string?)value)
            {
                return false;
            }
        }

        foreach (var expression in s["matchExpressions"] as JsonArray ?? [])
        {
            var key = (string?)expression?["key"] ?? "";
            var values = (expression?["values"] as JsonArray ?? []).Select(v => (string?)v).ToHashSet(StringComparer.Ordinal);
            var actual = Value(labels, key);
            var holds = (string?)expression?["operator"] switch
            {
                "In" => actual is not null && values.Contains(actual),
                "NotIn" => actual is null || !values.Contains(actual),
                "Exists" => actual is not null,
                "DoesNotExist" => actual is null,
                _ => false,
            };
            if (!holds)
            {
                return false;
            }
        }

        return true;
    }

    public bool Matches(JsonObject obj) => _terms.All(term => term(obj["metadata"]?["labels"] as JsonObject));

    private static string? Value(JsonObject? labels, string key) => labels?[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static (string Key, string Value) Split(string term, string op)
    {
        var at = term.IndexOf(op, StringComparison.Ordinal);
        return (term[..at].Trim(), term[(at + op.Length)..].Trim());
    }

    private static bool IsKey(string text) => text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/');

    /// <summary>Splits on the commas that are not inside a value set's parentheses.</summary>
    private static IEnumerable<string> SplitTerms(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            depth += text[i] switch { '(' => 1, ')' => -1, _ => 0 };
            if (text[i] == ',' && depth == 0)
            {
                yield return text[start..i];
                start = i + 1;
            }
        }

        yield return text[start..];
    }
}

/// <summary>
/// A <c>fieldSelector</c>: <c>path=value</c>, <c>path==value</c> and <c>path!=value</c> terms over the object's
/// fields (<c>metadata.name</c>, <c>spec.nodeName</c>, <c>status.phase</c>, <c>involvedObject.uid</c>...), all of
/// which must hold; a missing field reads as the empty string, as the server's field sets do.
/// </summary>
public sealed class FieldSelector
{
    private readonly (string[] Path, string Value, bool Equal)[] _terms;

    private FieldSelector((string[] Path, string Value, bool Equal)[] terms) => _terms = terms;

    public static FieldSelector? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return new FieldSelector([.. text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(term =>
        {
            var notEqual = term.IndexOf("!=", StringComparison.Ordinal);
            var equal = term.IndexOf('=', StringComparison.Ordinal);
            if (notEqual < 0 && equal < 0)
            {
                throw ApiException.BadRequest($"invalid selector: '{text}'; can't understand '{term}'");
            }

            var (field, value, isEqual) = notEqual >= 0
                ? (term[..notEqual], term[(notEqual + 2)..], false)
                : (term[..equal], term[(equal + 1)..].TrimStart('='), true);
            return (field.Trim().Split('.'), value.Trim(), isEqual);
        })]);
    }

    public bool Matches(JsonObject obj) => _terms.All(term => (ValueAt(obj, term.Path) == term.Value) == term.Equal);

    private static string ValueAt(JsonObject obj, string[] path)
    {
        JsonNode? node = obj;
        foreach (var part in path)
        {
            node = node is JsonObject o ? o[part] : null;
        }

        return node switch
        {
            JsonValue value when value.TryGetValue<string>(out var text) => text,
            JsonValue value => value.ToJsonString(),
            _ => "",
        };
    }
}
