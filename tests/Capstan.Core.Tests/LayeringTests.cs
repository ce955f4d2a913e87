using System.Xml.Linq;

namespace Capstan.Core.Tests;

/// <summary>
/// Every project's references against the layering table (docs/architecture.md): which projects, packages and
/// shared frameworks it may name in its csproj. A reference that is not in its row fails the build's tests.
/// </summary>
public sealed class LayeringTests
{
    /// <summary>Infrastructure packages any adapter may use (logging, options, DI abstractions): no domain types.</summary>
    private static readonly string[] s_infrastructure = ["Microsoft.Extensions."];

    public static TheoryData<string, string[], string[], string[]> Layers => new()
    {
        // project, projects it may reference, package prefixes it may reference, shared frameworks it may use
        { "src/Capstan.Core/Capstan.Core.csproj", [], [], [] },
        { "src/Capstan.Tls/Capstan.Tls.csproj", [], [], [] },
        { "src/Capstan.Aws/Capstan.Aws.csproj", ["Capstan.Core"], ["AWSSDK.", "Polly", "Tomlyn", .. s_infrastructure], [] },
        { "src/Capstan.Kubernetes/Capstan.Kubernetes.csproj", ["Capstan.Core"], ["KubernetesClient", "YamlDotNet", .. s_infrastructure], ["Microsoft.AspNetCore.App"] },
        { "src/Capstan.Controllers/Capstan.Controllers.csproj", ["Capstan.Core"], [.. s_infrastructure], [] },
        { "src/Capstan.Sandbox/Capstan.Sandbox.csproj", ["Capstan.Core", "Capstan.Kubernetes"], ["YamlDotNet", .. s_infrastructure], ["Microsoft.AspNetCore.App"] },
        { "webhook/Capstan.Webhook/Capstan.Webhook.csproj", ["Capstan.Core", "Capstan.Kubernetes"], ["FluentValidation", .. s_infrastructure], ["Microsoft.AspNetCore.App"] },
        { "extender/Capstan.Extender/Capstan.Extender.csproj", ["Capstan.Core", "Capstan.Kubernetes"], [.. s_infrastructure], ["Microsoft.AspNetCore.App"] },
        {
            "src/Capstan.Host/Capstan.Host.csproj",
            ["Capstan.Core", "Capstan.Tls", "Capstan.Aws", "Capstan.Kubernetes", "Capstan.Controllers", "Capstan.Sandbox", "Capstan.Webhook", "Capstan.Extender"],
            ["prometheus-net", "System.CommandLine", .. s_infrastructure],
            ["Microsoft.AspNetCore.App"]
        },
    };

    [Theory]
    [MemberData(nameof(Layers))]
    public void Project_ReferencesOnlyWhatItsLayerAllows(string project, string[] projects, string[] packages, string[] frameworks)
    {
        var document = XDocument.Load(Path.Combine(ArchitectureTests.RepoRoot(), project));
        var references = document.Descendants().Where(e => e.Attribute("Include") is not null).ToList();

        var projectRefs = Includes(references, "ProjectReference").Select(p => Path.GetFileNameWithoutExtension(p.Replace('\\', '/')));
        var packageRefs = Includes(references, "PackageReference");
        var frameworkRefs = Includes(references, "FrameworkReference");

        var outside = projectRefs.Where(p => !projects.Contains(p))
            .Concat(packageRefs.Where(p => !packages.Any(prefix => p.StartsWith(prefix, StringComparison.Ordinal))))
            .Concat(frameworkRefs.Where(f => !frameworks.Contains(f)))
            .Concat(Includes(references, "Reference"))
            .ToList();

        Assert.True(outside.Count == 0, $"{project} references what its layer does not allow: {string.Join(", ", outside)}");
    }

    [Fact]
    public void Table_CoversEveryProductProject()
    {
        var root = ArchitectureTests.RepoRoot();
        var listed = Layers.Select(row => (string)row[0]).ToHashSet(StringComparer.Ordinal);
        var actual = new[] { "src", "webhook", "extender" }
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(root, folder), "*.csproj", SearchOption.AllDirectories))
            .Select(path => Path.GetRelativePath(root, path).Replace('\\', '/'))
            .Where(path => !path.Contains("/obj/", StringComparison.Ordinal));

        var missing = actual.Where(path => !listed.Contains(path)).ToList();

        Assert.True(missing.Count == 0, $"projects missing from the layering table: {string.Join(", ", missing)}");
    }

    private static IEnumerable<string> Includes(IEnumerable<XElement> references, string kind) =>
        references.Where(e => e.Name.LocalName == kind).Select(e => e.Attribute("Include")!.Value);
}
