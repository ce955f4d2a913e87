using System.Reflection;
using Capstan.Core.Resources;

namespace Capstan.Core.Tests;

public sealed class ArchitectureTests
{
    [Fact]
    public void CoreAssembly_ReferencesOnlyTheBcl()
    {
        var core = typeof(Quantity).Assembly;
        var outside = core.GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(name => !(name.StartsWith("System", StringComparison.Ordinal) || name is "netstandard" or "mscorlib"))
            .ToList();

        Assert.Empty(outside);
    }

    [Fact]
    public void CoreProject_HasNoPackageOrProjectReferences()
    {
        var csproj = Path.Combine(RepoRoot(), "src", "Capstan.Core", "Capstan.Core.csproj");
        var project = System.Xml.Linq.XDocument.Load(csproj);
        var references = project.Descendants()
            .Where(e => e.Name.LocalName is "PackageReference" or "ProjectReference" or "Reference")
            .Select(e => e.Attribute("Include")?.Value)
            .ToList();

        Assert.Empty(references);
    }

    internal static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Extender.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Extender.sln not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void CoreTypes_AreNotFromForeignNamespaces()
    {
        var exported = typeof(Quantity).Assembly.GetExportedTypes();

        Assert.All(exported, t => Assert.StartsWith("Capstan.Core", t.Namespace, StringComparison.Ordinal));
        Assert.DoesNotContain(exported.SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance)),
            p => p.PropertyType.Namespace is { } ns && (ns.StartsWith("k8s", StringComparison.Ordinal) || ns.StartsWith("Amazon", StringComparison.Ordinal)));
    }
}
