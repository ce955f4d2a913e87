using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace Capstan.Webhook.Tests.Support;

/// <summary>YAML manifests as kubectl sends them: documents converted to JSON with YAML's plain-scalar typing.</summary>
public static class Manifests
{
    /// <summary>The repository root (the folder holding Extender.sln).</summary>
    public static string Root { get; } = FindRoot();

    public static string Examples => Path.Combine(Root, "src", "Capstan.Host", "Examples");

    public static IReadOnlyList<JsonObject> Load(string file, string clusterName = "capstan-test") =>
        Parse(File.ReadAllText(file).Replace("${CLUSTER_NAME}", clusterName, StringComparison.Ordinal));

    public static IReadOnlyList<JsonObject> Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return [.. stream.Documents.Where(d => d.RootNode is YamlMappingNode).Select(d => (JsonObject)ToJson(d.RootNode)!)];
    }

    public static JsonObject One(string file, string kind) => Load(file).Single(o => o["kind"]!.GetValue<string>() == kind);

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(c => KeyValuePair.Create(((YamlScalarNode)c.Key).Value!, ToJson(c.Value)))),
        YamlSequenceNode seq => new JsonArray([.. seq.Children.Select(ToJson)]),
        YamlScalarNode scalar => Scalar(scalar),
        _ => throw new InvalidOperationException($"unsupported YAML node {node.NodeType}"),
    };

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style is not (YamlDotNet.Core.ScalarStyle.Plain or YamlDotNet.Core.ScalarStyle.Any))
        {
            return JsonValue.Create(text);
        }

        if (text is "null" or "~" or "")
        {
            return null;
        }

        if (text is "true" or "false")
        {
            return JsonValue.Create(text == "true");
        }

        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return JsonValue.Create(integer);
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && text.Any(char.IsAsciiDigit) && !text.EndsWith('.'))
        {
            return JsonValue.Create(number);
        }

        return JsonValue.Create(text);
    }

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Extender.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Extender.sln not found above " + AppContext.BaseDirectory);
    }
}
