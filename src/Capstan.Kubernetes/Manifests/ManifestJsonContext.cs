using System.Text.Json.Serialization;
using Capstan.Kubernetes.Crds;
using k8s.Models;

namespace Capstan.Kubernetes.Manifests;

/// <summary>
/// Serializer metadata for the kinds the manifest reader builds, made at compile time: a short-lived
/// <c>capstan plan</c> does not spend its first second building it by reflection. The Kubernetes client's own
/// converters (quantities, int-or-string, times) still come from its serializer options.
/// </summary>
[JsonSerializable(typeof(V1Alpha5Provisioner))]
[JsonSerializable(typeof(V1Alpha1AwsNodeTemplate))]
[JsonSerializable(typeof(V1Deployment))]
[JsonSerializable(typeof(V1StatefulSet))]
[JsonSerializable(typeof(V1ReplicaSet))]
[JsonSerializable(typeof(V1DaemonSet))]
[JsonSerializable(typeof(V1Job))]
[JsonSerializable(typeof(V1Pod))]
[JsonSerializable(typeof(V1Node))]
[JsonSerializable(typeof(V1Namespace))]
internal sealed partial class ManifestJsonContext : JsonSerializerContext;
