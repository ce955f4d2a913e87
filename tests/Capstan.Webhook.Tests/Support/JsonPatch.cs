using System.Text.Json.Nodes;

namespace Capstan.Webhook.Tests.Support;

/// <summary>A small RFC 6902 applier (add, replace, remove, test) over JsonNode, to check patches apply cleanly.</summary>
public static class JsonPatch
{
    public static JsonNode Apply(JsonNode document, JsonArray patch)
    {
        var result = document.DeepClone();
        foreach (var operation in patch)
        {
            var op = operation!["op"]!.GetValue<string>();
            var path = operation["path"]!.GetValue<string>();
            var tokens = path.Split('/').Skip(1).Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToArray();
            var parent = tokens[..^1].Aggregate(result, (node, token) => node switch
            {
                JsonObject o => o[token] ?? throw new InvalidOperationException($"{path}: missing parent {token}"),
                JsonArray a => a[int.Parse(token, System.Globalization.CultureInfo.InvariantCulture)]!,
                _ => throw new InvalidOperationException($"{path}: cannot descend into {token}"),
            });
            var last = tokens[^1];
            var value = operation["value"]?.DeepClone();
            switch (op, parent)
            {
                case ("add" or "replace", JsonObject o):
                    if (op == "replace" && !o.ContainsKey(last))
                    {
                        throw new InvalidOperationException($"{path}: replace of a missing member");
                    }

                    o[last] = value;
                    break;
                case ("add", JsonArray a):
                    if (last == "-")
                    {
                        a.Add(value);
                    }
                    else
                    {
                        a.Insert(int.Parse(last, System.Globalization.CultureInfo.InvariantCulture), value);
                    }

                    break;
                case ("remove", JsonObject o):
                    if (!o.Remove(last))
                    {
                        throw new InvalidOperationException($"{path}: remove of a missing member");
                    }

                    break;
                default:
                    throw new InvalidOperationException($"unsupported {op} at {path}");
            }
        }

        return result;
    }
}
