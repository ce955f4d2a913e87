using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Capstan.Kubernetes.Manifests;

namespace Capstan.Kubernetes.Tests.Manifests;

/// <summary>
/// The objects the builder makes from the schema walk must be the ones the serializer makes from the walk's JSON,
/// field for field, on every manifest the repository ships and on documents that use every part of the models the
/// planner reads; a value the serializer refuses must not fit the builder either, and the reader must say where.
/// </summary>
public sealed class ModelBuilderTests
{
    private const string RichPod = """
        apiVersion: v1
        kind: Pod
        metadata:
          name: rich
          namespace: team-a
          uid: 0b6c2a4e-1111-2222-3333-444455556666
          resourceVersion: "812"
          generation: 3
          creationTimestamp: "2024-05-01T10:20:30Z"
          deletionTimestamp: 2024-05-02T00:00:00Z
          deletionGracePeriodSeconds: 30
          labels: {app: web, tier: "1", empty: ""}
          annotations:
            karpenter.sh/do-not-evict: "true"
            cluster-autoscaler.kubernetes.io/safe-to-evict: "false"
          finalizers: [example.com/keep]
          ownerReferences:
            - apiVersion: apps/v1
              kind: ReplicaSet
              name: web-5d4f
              uid: 9a8b
              controller: true
              blockOwnerDeletion: true
        spec:
          priority: 1000
          priorityClassName: high
          schedulerName: default-scheduler
          nodeName: ""
          hostNetwork: false
          terminationGracePeriodSeconds: 45
          activeDeadlineSeconds: 600
          nodeSelector:
            intent: apps
            kubernetes.io/arch: amd64
          overhead:
            cpu: 100m
            memory: 1.5Gi
          tolerations:
            - key: dedicated
              operator: Equal
              value: gpu
              effect: NoSchedule
            - operator: Exists
              tolerationSeconds: 300
          topologySpreadConstraints:
            - maxSkew: 1
              minDomains: 2
              topologyKey: topology.kubernetes.io/zone
              whenUnsatisfiable: DoNotSchedule
              labelSelector:
                matchLabels: {app: web}
                matchExpressions:
                  - {key: tier, operator: In, values: ["1", "2"]}
              matchLabelKeys: [pod-template-hash]
          affinity:
            nodeAffinity:
              requiredDuringSchedulingIgnoredDuringExecution:
                nodeSelectorTerms:
                  - matchExpressions:
                      - key: karpenter.sh/capacity-type
                        operator: In
                        values: [spot, on-demand]
                    matchFields:
                      - {key: metadata.name, operator: NotIn, values: [bad-node]}
              preferredDuringSchedulingIgnoredDuringExecution:
                - weight: 50
                  preference:
                    matchExpressions:
                      - {key: node.kubernetes.io/instance-type, operator: Gt, values: ["3"]}
            podAffinity:
              preferredDuringSchedulingIgnoredDuringExecution:
                - weight: 10
                  podAffinityTerm:
                    topologyKey: kubernetes.io/hostname
                    labelSelector: {matchLabels: {app: cache}}
                    namespaces: [team-b]
                    namespaceSelector: {}
            podAntiAffinity:
              requiredDuringSchedulingIgnoredDuringExecution:
                - topologyKey: topology.kubernetes.io/zone
                  labelSelector:
                    matchExpressions: [{key: app, operator: Exists}]
                  namespaceSelector:
                    matchLabels: {team: a}
          initContainers:
            - name: setup
              image: busybox
              command: [sh, -c, "echo hi"]
              resources:
                requests: {cpu: "1", memory: 64Mi}
            - name: proxy
              image: envoy
              restartPolicy: Always
              resources:
                limits: {cpu: 500m, memory: 128Mi}
          containers:
            - name: main
              image: nginx:1.25
              args: ["--port", "8080"]
              env:
                - {name: MODE, value: fast}
                - name: NODE
                  valueFrom: {fieldRef: {fieldPath: spec.nodeName}}
              ports:
                - {containerPort: 8080, hostPort: 80, protocol: TCP, name: http}
                - containerPort: 9090
              readinessProbe:
                httpGet: {path: /ready, port: http}
                initialDelaySeconds: 5
              livenessProbe:
                tcpSocket: {port: 8080}
                periodSeconds: 10
              securityContext:
                runAsUser: 1000
                privileged: false
                capabilities: {add: [NET_ADMIN], drop: [ALL]}
              resources:
                requests:
                  cpu: 250m
                  memory: 256Mi
                  ephemeral-storage: 1G
                  nvidia.com/gpu: 1
                limits:
                  memory: 512Mi
                  nvidia.com/gpu: "1"
              volumeMounts:
                - {name: scratch, mountPath: /scratch, readOnly: true}
          volumes:
            - name: scratch
              emptyDir: {medium: Memory, sizeLimit: 64Mi}
            - name: host
              hostPath: {path: /var/log, type: Directory}
            - name: config
              configMap: {name: web-config, defaultMode: 420, items: [{key: a, path: b}]}
            - name: data
              persistentVolumeClaim: {claimName: data-0}
        status:
          phase: Pending
          conditions:
            - type: PodScheduled
              status: "False"
              reason: Unschedulable
              lastTransitionTime: "2024-05-01T10:20:31Z"
          nominatedNodeName: ""
        """;

    private const string Workloads = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: team-a}
        spec:
          replicas: 3
          revisionHistoryLimit: 2
          strategy:
            type: RollingUpdate
            rollingUpdate: {maxSurge: 25%, maxUnavailable: 1}
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              containers:
                - name: web
                  image: nginx
                  resources: {requests: {cpu: "0.5", memory: 1Gi}}
        ---
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: db}
        spec:
          replicas: 2
          serviceName: db
          podManagementPolicy: Parallel
          selector: {matchLabels: {app: db}}
          template:
            metadata: {labels: {app: db}}
            spec:
              containers: [{name: db, image: postgres, resources: {requests: {cpu: 2, memory: 4Gi}}}]
          volumeClaimTemplates:
            - metadata: {name: data}
              spec:
                accessModes: [ReadWriteOnce]
                storageClassName: gp3
                resources: {requests: {storage: 20Gi}}
        ---
        apiVersion: batch/v1
        kind: Job
        metadata: {name: batch}
        spec:
          parallelism: 4
          completions: 8
          backoffLimit: 2
          template:
            spec:
              restartPolicy: Never
              containers: [{name: work, image: busybox, resources: {requests: {cpu: 1}}}]
        ---
        apiVersion: apps/v1
        kind: DaemonSet
        metadata: {name: agent, namespace: kube-system}
        spec:
          selector: {matchLabels: {app: agent}}
          updateStrategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 10%}}
          template:
            metadata: {labels: {app: agent}, annotations: {a: b}}
            spec:
              tolerations: [{operator: Exists}]
              containers: [{name: agent, image: agent, resources: {requests: {cpu: 50m, memory: 64Mi}}}]
        ---
        apiVersion: v1
        kind: Node
        metadata:
          name: ip-10-0-1-2.ec2.internal
          labels: {node.kubernetes.io/instance-type: m5.large, karpenter.sh/capacity-type: spot}
          creationTimestamp: "2024-05-01T09:00:00Z"
        spec:
          providerID: aws:///us-east-1a/i-0123
          unschedulable: false
          taints: [{key: karpenter.sh/disruption, value: disrupting, effect: NoSchedule, timeAdded: "2024-05-01T09:30:00Z"}]
        status:
          capacity: {cpu: "2", memory: 7934464Ki, pods: "29"}
          allocatable: {cpu: 1930m, memory: 7244288Ki, pods: "29"}
          conditions:
            - {type: Ready, status: "True", lastHeartbeatTime: "2024-05-01T09:31:00Z"}
          addresses: [{type: InternalIP, address: 10.0.1.2}]
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: team-a, labels: {team: a}}
        """;

    /// <summary>Every document of a kind the reader uses, by source and position, from the repository and the texts above.</summary>
    public static TheoryData<string, int> Documents()
    {
        var documents = new TheoryData<string, int>();
        foreach (var (name, text) in Sources())
        {
            YamlTree.Read(text, (index, root) =>
            {
                if (root is YamlMapping mapping && TypeKey(mapping) is { } key && ManifestReader.ModelOf(key) is not null)
                {
                    documents.Add(name, index);
                }
            }, out _);
        }

        return documents;
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void BuiltObjects_AreTheSerializersObjects(string source, int document)
    {
        var (built, misfit, deserialized, refused) = BothWays(Document(source, document));

        Assert.Null(misfit);
        Assert.False(refused);
        Assert.Equal(Json(deserialized), Json(built));
    }

    [Fact]
    public void TheDocuments_CoverEveryKindTheReaderUses()
    {
        var kinds = Documents().Select(row => TypeKey(Document((string)row[0], (int)row[1]))).ToHashSet();

        Assert.Superset(new HashSet<string?> { "v1/Pod", "v1/Node", "v1/Namespace", "apps/v1/Deployment", "apps/v1/StatefulSet", "apps/v1/DaemonSet", "batch/v1/Job", "karpenter.sh/v1alpha5/Provisioner", "karpenter.k8s.aws/v1alpha1/AWSNodeTemplate" }, kinds);
    }

    [Theory]
    [InlineData("spec:\n  containers:\n    - name: a\n      ports:\n        - containerPort: 99999999999\n", "spec.containers[0].ports[0].containerPort")]
    [InlineData("spec:\n  affinity:\n    nodeAffinity:\n      preferredDuringSchedulingIgnoredDuringExecution:\n        - weight: ~\n", "spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight")]
    [InlineData("spec:\n  priority: 3000000000\n", "spec.priority")]
    [InlineData("metadata:\n  creationTimestamp: yesterday\n", "metadata.creationTimestamp")]
    public void AValueTheSerializerRefuses_DoesNotFit_AndTheReaderSaysWhere(string body, string path)
    {
        var yaml = "apiVersion: v1\nkind: Pod\n" + body;

        var (built, misfit, _, refused) = BothWays(Root(yaml));

        Assert.True(refused);
        Assert.Null(built);
        Assert.Equal(path, misfit);
        var error = Assert.Single(Assert.Throws<ManifestException>(() => ManifestReader.Read([("pod.yaml", yaml)])).Errors);
        Assert.Equal($"pod.yaml: document 1: {path}: a value does not fit the Kubernetes object (v1/Pod)", error);
    }

    [Fact]
    public void OneQuantityText_IsReadOnceAndShared()
    {
        var pods = ManifestReader.Read([("pods.yaml", string.Join("---\n", Enumerable.Range(0, 3).Select(i =>
            $"apiVersion: v1\nkind: Pod\nmetadata: {{name: p{i}}}\nspec:\n  containers: [{{name: a, resources: {{requests: {{cpu: 250m}}}}}}]\n")))]).Pods;

        Assert.Equal(3, pods.Count);
        Assert.All(pods, p => Assert.Equal(250, p.Requests.Get("cpu").MilliValue));
    }

    /// <summary>The document built by the builder and deserialized from the walk's JSON, and whether each refused it.</summary>
    private static (object? Built, string? Misfit, object? Deserialized, bool Refused) BothWays(YamlMapping root)
    {
        var (type, schema) = ManifestReader.ModelOf(TypeKey(root)!)!.Value;
        var diagnostics = new List<ManifestDiagnostic>();
        using var builder = new ModelBuilder(ManifestReader.SerializerOptions);
        builder.Begin(type, "");
        new YamlWalk(builder, diagnostics).Write(root, schema, "");
        Assert.DoesNotContain(diagnostics, d => d.IsError);

        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            new YamlWalk(new JsonSink(writer), []).Write(root, schema, "");
        }

        object? deserialized = null;
        var refused = false;
        try
        {
            deserialized = JsonSerializer.Deserialize(buffer.WrittenSpan, ManifestReader.SerializerOptions.GetTypeInfo(type));
        }
        catch (Exception e) when (e is JsonException or FormatException or ArgumentException or InvalidOperationException or OverflowException)
        {
            refused = true;
        }

        return (builder.Result, builder.Misfit, deserialized, refused);
    }

    /// <summary>The reader's options, able to write the free-form values (JSON elements) the generated metadata leaves out.</summary>
    private static readonly JsonSerializerOptions s_compare = new(ManifestReader.SerializerOptions)
    {
        TypeInfoResolver = JsonTypeInfoResolver.Combine(ManifestReader.SerializerOptions.TypeInfoResolver, new DefaultJsonTypeInfoResolver()),
    };

    private static string Json(object? value) => value is null ? "null" : JsonSerializer.Serialize(value, value.GetType(), s_compare);

    private static YamlMapping Root(string yaml)
    {
        YamlNode? root = null;
        YamlTree.Read(yaml, (_, node) => root ??= node, out _);
        return Assert.IsType<YamlMapping>(root);
    }

    private static string? TypeKey(YamlMapping mapping)
    {
        string? Top(string key) => mapping.Entries.FirstOrDefault(e => e.Key is YamlScalar { Value: var k } && k == key).Value is YamlScalar { IsNull: false } s ? s.Value : null;
        return Top("apiVersion") is { } version && Top("kind") is { } kind ? $"{version}/{kind}" : null;
    }

    private static IEnumerable<(string Name, string Text)> Sources() =>
        YamlTreeText.RepositoryYaml().Select(f => (Path.GetFileName(f), File.ReadAllText(f))).Append(("rich pod", RichPod)).Append(("workloads", Workloads));

    private static YamlMapping Document(string source, int index)
    {
        YamlNode? found = null;
        YamlTree.Read(Sources().Single(s => s.Name == source).Text, (i, node) => found = i == index ? node : found, out _);
        return Assert.IsType<YamlMapping>(found);
    }
}
