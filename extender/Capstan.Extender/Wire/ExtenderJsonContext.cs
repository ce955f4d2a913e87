using System.Text.Json.Serialization;

namespace Capstan.Extender.Wire;

/// <summary>
/// Source-generated metadata for the extender envelopes. Every property carries its exact wire name, so
/// the host's naming policy cannot change the format; embedded Kubernetes objects go through
/// <see cref="KubernetesJsonConverter{T}"/>. Input keys match case-insensitively, as Go's decoder does.
/// </summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(ExtenderArgs))]
[JsonSerializable(typeof(ExtenderFilterResult))]
[JsonSerializable(typeof(HostPriorityList))]
[JsonSerializable(typeof(ExtenderBindingArgs))]
[JsonSerializable(typeof(ExtenderBindingResult))]
[JsonSerializable(typeof(ExtenderError))]
public sealed partial class ExtenderJsonContext : JsonSerializerContext;
