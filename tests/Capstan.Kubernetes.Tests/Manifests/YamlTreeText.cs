using System.Text;
using Capstan.Kubernetes.Manifests;

namespace Capstan.Kubernetes.Tests.Manifests;

/// <summary>YAML trees as text to compare (kinds, values, plainness and positions), and the repository's YAML files to compare them on.</summary>
internal static class YamlTreeText
{
    public static List<string> RepositoryYaml()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Extender.sln")))
        {
            root = root.Parent;
        }

        Assert.NotNull(root);
        return [.. new[] { "src", "manifests", "scenarios" }
            .SelectMany(d => Directory.EnumerateFiles(Path.Combine(root.FullName, d), "*.yaml", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>A node and everything under it, with kinds, values, plainness and positions.</summary>
    public static string Describe(YamlNode? node)
    {
        var text = new StringBuilder();
        Write(node, text);
        return text.ToString();
    }

    private static void Write(YamlNode? node, StringBuilder text)
    {
        switch (node)
        {
            case null:
                text.Append("(empty document)");
                break;
            case YamlScalar scalar:
                text.Append($"{scalar.Line}:{scalar.Column} {(scalar.Plain ? "plain" : "quoted")} \"{scalar.Value}\"");
                break;
            case YamlMapping mapping:
                text.Append($"{mapping.Line}:{mapping.Column} {{");
                foreach (var (key, value) in mapping.Entries)
                {
                    Write(key, text);
                    text.Append(" => ");
                    Write(value, text);
                    text.Append("; ");
                }

                text.Append('}');
                break;
            case YamlSequence sequence:
                text.Append($"{sequence.Line}:{sequence.Column} [");
                foreach (var item in sequence.Items)
                {
                    Write(item, text);
                    text.Append(", ");
                }

                text.Append(']');
                break;
        }
    }
}
