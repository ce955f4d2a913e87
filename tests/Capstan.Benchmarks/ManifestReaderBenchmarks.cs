using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using Capstan.Kubernetes.Manifests;
using k8s;

namespace Capstan.Benchmarks;

/// <summary>
/// The manifest reader on N Pod documents of about 340 bytes each (the shape of a <c>kubectl get pods -o yaml</c>
/// split into documents): <c>ManifestReader.Read</c> from text to Core pod requests, against the
/// KubernetesClient per-document YAML deserialisation the regex-based reader used to run for each document.
/// <c>dotnet artifacts/bin/Capstan.Benchmarks/release/Capstan.Benchmarks.dll --manifest-pods 10000 FILE</c> writes
/// the same input to a file for whole-process timing of <c>capstan plan</c>.
/// </summary>
[Config(typeof(BenchmarkConfig))]
public class ManifestReaderBenchmarks
{
    private string _yaml = "";
    private string[] _documents = [];

    [Params(1_000, 10_000)]
    public int Pods { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _yaml = PodDocuments(Pods);
        _documents = _yaml.Split("---\n");
    }

    [Benchmark]
    public int Read() => ManifestReader.Read([("pods.yaml", _yaml)]).Pods.Count;

    [Benchmark(Baseline = true)]
    public int KubernetesYamlPerDocument()
    {
        var count = 0;
        foreach (var document in _documents)
        {
            count += KubernetesYaml.Deserialize<k8s.Models.V1Pod>(document) is null ? 0 : 1;
        }

        return count;
    }

    /// <summary>N Pod documents separated by <c>---</c>, each with labels, a node selector, requests and limits.</summary>
    public static string PodDocuments(int pods)
    {
        var text = new StringBuilder(pods * 360);
        for (var i = 0; i < pods; i++)
        {
            if (i > 0)
            {
                text.Append("---\n");
            }

            var n = i.ToString(CultureInfo.InvariantCulture);
            var shard = (i % 10).ToString(CultureInfo.InvariantCulture);
            text.Append(CultureInfo.InvariantCulture, $"""
                apiVersion: v1
                kind: Pod
                metadata:
                  name: pod-{n}
                  namespace: default
                  labels:
                    app: bench
                    shard: "s{shard}"
                spec:
                  nodeSelector:
                    intent: apps
                  containers:
                    - name: main
                      image: public.ecr.aws/eks-distro/kubernetes/pause:3.2
                      resources:
                        requests:
                          cpu: 250m
                          memory: 256Mi
                        limits:
                          memory: 512Mi

                """);
        }

        return text.ToString();
    }
}
