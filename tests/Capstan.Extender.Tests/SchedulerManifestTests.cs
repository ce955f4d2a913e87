using System.Globalization;
using System.Text.Json.Nodes;
using Capstan.Tls;
using YamlDotNet.RepresentationModel;

namespace Capstan.Extender.Tests;

/// <summary>
/// The scheduler configurations under <c>manifests/scheduler/</c> (KubeSchedulerConfiguration v1, v1beta3 and v1beta2, the
/// second scheduler's embedded one, and the legacy Policy) describe one and the same extender, with each format's own
/// keys, and that extender is the one Capstan serves: its Service, its certificate's names, its verbs.
/// </summary>
public sealed class SchedulerManifestTests
{
    /// <summary>The extender keys of KubeSchedulerConfiguration (kubescheduler.config.k8s.io Extender).</summary>
    private static readonly string[] s_configurationKeys =
        ["urlPrefix", "filterVerb", "preemptVerb", "prioritizeVerb", "weight", "bindVerb", "enableHTTPS", "tlsConfig", "httpTimeout", "nodeCacheCapable", "managedResources", "ignorable"];

    /// <summary>The extender keys of the legacy Policy (LegacyExtender): camelCase, and <c>enableHttps</c>.</summary>
    private static readonly string[] s_policyKeys =
        ["urlPrefix", "filterVerb", "preemptVerb", "prioritizeVerb", "weight", "bindVerb", "enableHttps", "tlsConfig", "httpTimeout", "nodeCacheCapable", "managedResources", "ignorable"];

    private static readonly string[] s_tlsKeys = ["insecure", "serverName", "certFile", "keyFile", "caFile", "certData", "keyData", "caData"];

    private static string Root { get; } = FindRoot();

    private static string Scheduler(string file) => Path.Combine(Root, "manifests", "scheduler", file);

    /// <summary>Every scheduler configuration shipped, with its expected apiVersion; the second scheduler's is inside a ConfigMap.</summary>
    public static TheoryData<string, string> Configurations => new()
    {
        { "kube-scheduler-config.yaml", "kubescheduler.config.k8s.io/v1" },
        { "kube-scheduler-config.v1beta3.yaml", "kubescheduler.config.k8s.io/v1beta3" },
        { "kube-scheduler-config.v1beta2.yaml", "kubescheduler.config.k8s.io/v1beta2" },
        { "second-scheduler.yaml", "kubescheduler.config.k8s.io/v1" },
        { "legacy-policy.json", "v1" },
    };

    [Fact]
    public void EveryFileUnderManifestsScheduler_IsOneOfTheConfigurationsChecked()
    {
        var checkedFiles = Configurations.Select(row => (string)row[0]).Order(StringComparer.Ordinal);

        var shipped = Directory.EnumerateFiles(Path.Combine(Root, "manifests", "scheduler")).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal);

        Assert.Equal(checkedFiles, shipped);
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Configuration_HasTheApiVersionKindAndOnlyItsFormatsKeys(string file, string apiVersion)
    {
        var configuration = Load(file);
        var policy = file.EndsWith(".json", StringComparison.Ordinal);

        Assert.Equal(apiVersion, (string?)configuration["apiVersion"]);
        Assert.Equal(policy ? "Policy" : "KubeSchedulerConfiguration", (string?)configuration["kind"]);
        var extender = Assert.Single(configuration["extenders"]!.AsArray())!.AsObject();
        Assert.All(extender.Select(p => p.Key), key => Assert.Contains(key, policy ? s_policyKeys : s_configurationKeys));
        Assert.All(extender["tlsConfig"]!.AsObject().Select(p => p.Key), key => Assert.Contains(key, s_tlsKeys));
        if (policy)
        {
            // Present but empty, these would replace the default plugins with none at all.
            Assert.Null(configuration["predicates"]);
            Assert.Null(configuration["priorities"]);
        }
        else
        {
            Assert.Equal(100, (long?)configuration["percentageOfNodesToScore"]);
            Assert.Single(configuration["profiles"]!.AsArray());
        }
    }

    public static TheoryData<string> Files => [.. Configurations.Select(row => (string)row[0])];

    [Theory]
    [MemberData(nameof(Files))]
    public void Configuration_DescribesTheSameExtenderAsTheV1File(string file)
    {
        var expected = Normalized("kube-scheduler-config.yaml", keepDirectories: file != "second-scheduler.yaml");

        var actual = Normalized(file, keepDirectories: file != "second-scheduler.yaml");

        Assert.True(JsonNode.DeepEquals(expected, actual), $"{file}: {actual.ToJsonString()}\nexpected: {expected.ToJsonString()}");
    }

    [Fact]
    public void Extender_IsCapstansServiceWithItsCertificateNamesAndVerbs()
    {
        var extender = Load("kube-scheduler-config.yaml")["extenders"]![0]!;
        var service = ServiceManifest();
        var url = new Uri((string)extender["urlPrefix"]!);
        var serverName = (string?)extender["tlsConfig"]!["serverName"];

        Assert.Equal("https", url.Scheme);
        Assert.Equal($"{service.Name}.{service.Namespace}.svc", url.Host);
        Assert.Equal(service.Port, url.Port);
        Assert.Equal("/extender", url.AbsolutePath);
        Assert.Equal(url.Host, serverName);
        Assert.Contains(serverName, CertificateSet.DnsNames(service.Name, service.Namespace));
        Assert.Equal(ExtenderEndpoints.FilterVerb, (string?)extender["filterVerb"]);
        Assert.Equal(ExtenderEndpoints.PrioritizeVerb, (string?)extender["prioritizeVerb"]);
        Assert.Equal(ExtenderEndpoints.BindVerb, (string?)extender["bindVerb"]);
        Assert.Equal("ca.crt", Path.GetFileName((string?)extender["tlsConfig"]!["caFile"]));
        Assert.Equal(CertificateSet.ClientCertificateFile, Path.GetFileName((string?)extender["tlsConfig"]!["certFile"]));
        Assert.Equal(CertificateSet.ClientKeyFile, Path.GetFileName((string?)extender["tlsConfig"]!["keyFile"]));
        Assert.True(TimeSpan.Parse((string)Normalized("kube-scheduler-config.yaml", keepDirectories: true)["httpTimeout"]!, CultureInfo.InvariantCulture) > ExtenderOptions.DefaultBindTimeout,
            "the bind budget must end before the scheduler stops waiting");
    }

    /// <summary>
    /// The extender entry in one spelling: <c>enableHttps</c> as <c>enableHTTPS</c>, the Policy's nanoseconds and the
    /// configuration's duration as a TimeSpan, absent booleans as false, and (for the second scheduler, whose files
    /// are mounted elsewhere) TLS files by name only.
    /// </summary>
    private static JsonObject Normalized(string file, bool keepDirectories)
    {
        var extender = Load(file)["extenders"]![0]!.AsObject();
        var result = new JsonObject();
        foreach (var key in s_configurationKeys)
        {
            var value = key == "enableHTTPS" ? extender["enableHTTPS"] ?? extender["enableHttps"] : extender[key];
            result[key] = key switch
            {
                "httpTimeout" => Duration(value).ToString("c", CultureInfo.InvariantCulture),
                "enableHTTPS" or "nodeCacheCapable" or "ignorable" => (bool?)value ?? false,
                "tlsConfig" => Tls(value!.AsObject(), keepDirectories),
                _ => value?.DeepClone(),
            };
        }

        return result;
    }

    private static JsonObject Tls(JsonObject tls, bool keepDirectories)
    {
        var result = new JsonObject();
        foreach (var key in s_tlsKeys)
        {
            result[key] = tls[key] switch
            {
                null => null,
                var value when key.EndsWith("File", StringComparison.Ordinal) && !keepDirectories => Path.GetFileName((string?)value),
                var value => value.DeepClone(),
            };
        }

        result["insecure"] = (bool?)tls["insecure"] ?? false;
        return result;
    }

    /// <summary>A Go duration as the configuration writes it (<c>5s</c>, <c>500ms</c>, <c>1m30s</c>) or the Policy's nanoseconds.</summary>
    private static TimeSpan Duration(JsonNode? value)
    {
        if (value is null)
        {
            return TimeSpan.Zero;
        }

        if (value.GetValueKind() == System.Text.Json.JsonValueKind.Number)
        {
            return TimeSpan.FromTicks((long)value / 100);
        }

        var text = (string)value!;
        var total = TimeSpan.Zero;
        var i = 0;
        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
            {
                i++;
            }

            var number = double.Parse(text.AsSpan(start, i - start), CultureInfo.InvariantCulture);
            var unitStart = i;
            while (i < text.Length && char.IsAsciiLetter(text[i]))
            {
                i++;
            }

            total += text[unitStart..i] switch
            {
                "h" => TimeSpan.FromHours(number),
                "m" => TimeSpan.FromMinutes(number),
                "s" => TimeSpan.FromSeconds(number),
                "ms" => TimeSpan.FromMilliseconds(number),
                var unit => throw new FormatException($"unknown duration unit '{unit}' in '{text}'"),
            };
        }

        return total;
    }

    /// <summary>A configuration as JSON: the JSON file itself, a YAML file's document, or the ConfigMap's embedded config.yaml.</summary>
    private static JsonObject Load(string file)
    {
        var text = File.ReadAllText(Scheduler(file));
        if (file.EndsWith(".json", StringComparison.Ordinal))
        {
            return JsonNode.Parse(text)!.AsObject();
        }

        var documents = Yaml(text);
        var configMap = documents.SingleOrDefault(d => (string?)d["kind"] == "ConfigMap");
        return configMap is null
            ? documents.Single()
            : Yaml((string)configMap["data"]!["config.yaml"]!).Single();
    }

    private static (string Name, string Namespace, int Port) ServiceManifest()
    {
        var service = Yaml(File.ReadAllText(Path.Combine(Root, "manifests", "service.yaml"))).Single();
        return ((string)service["metadata"]!["name"]!, (string)service["metadata"]!["namespace"]!, (int)(long)service["spec"]!["ports"]![0]!["port"]!);
    }

    private static List<JsonObject> Yaml(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return [.. stream.Documents.Where(d => d.RootNode is YamlMappingNode).Select(d => (JsonObject)ToJson(d.RootNode)!)];
    }

    /// <summary>YAML 1.2 core typing of plain scalars (what kube-scheduler's decoder does), quoted scalars as strings.</summary>
    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(c => KeyValuePair.Create(((YamlScalarNode)c.Key).Value!, ToJson(c.Value)))),
        YamlSequenceNode sequence => new JsonArray([.. sequence.Children.Select(ToJson)]),
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } scalar => scalar.Value switch
        {
            null or "" or "null" or "~" => null,
            "true" => JsonValue.Create(true),
            "false" => JsonValue.Create(false),
            var text when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) => JsonValue.Create(number),
            var text => JsonValue.Create(text),
        },
        YamlScalarNode scalar => JsonValue.Create(scalar.Value ?? ""),
        _ => throw new InvalidOperationException($"unexpected YAML node {node.NodeType}"),
    };

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
