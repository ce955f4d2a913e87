using Capstan.Core.Pods;
using k8s.Models;

namespace Capstan.Extender.Wire;

/// <summary>
/// A filter or prioritize request as <see cref="ExtenderRequestReader"/> reads it from the body bytes.
/// Positions (<see cref="Range"/>) refer to that body, so the request lives no longer than it; dispose to
/// return the pooled candidate storage.
/// </summary>
internal sealed class ExtenderRequest : IDisposable
{
    /// <summary>Where the Pod object lies in the body; null when the key is absent or null.</summary>
    public Range? PodJson { get; set; }

    /// <summary>The Pod converted earlier from the same bytes (<see cref="PodCache"/>), or null.</summary>
    public PodRequest? CachedPod { get; set; }

    /// <summary>The Pod as KubernetesClient read it, when it was not found in the cache.</summary>
    public V1Pod? ParsedPod { get; set; }

    /// <summary><c>NodeNames</c> (<c>nodeCacheCapable: true</c>), or null.</summary>
    public CandidateList? NodeNames { get; set; }

    /// <summary><c>Nodes</c> (<c>nodeCacheCapable: false</c>) was an object.</summary>
    public bool HasNodes { get; set; }

    /// <summary>Where <c>Nodes.metadata</c> lies in the body; null when absent (written back as <c>{}</c>).</summary>
    public Range? NodesMetadata { get; set; }

    /// <summary><c>Nodes.items</c>, or null.</summary>
    public CandidateList? Items { get; set; }

    /// <summary>The candidates of the request once it is valid: the names, or else the node objects.</summary>
    public ReadOnlySpan<KnownNode?> Candidates => NodeNames is { } names ? names.Nodes : Items is { } items ? items.Nodes : [];

    /// <summary>What each candidate's node object says (see <see cref="NodeObjectState"/>); empty for names.</summary>
    public ReadOnlySpan<NodeObjectState> CandidateStates => NodeNames is null && Items is { } items ? items.States : [];

    /// <summary>Why the request cannot be served, or null; the rules and words of <see cref="ExtenderService.Validate(ExtenderArgs?)"/>.</summary>
    public string? Validate() => ExtenderService.ValidateShape(PodJson is not null, HasNodes, NodeNames is not null, Items is not null);

    public void Dispose()
    {
        NodeNames?.Dispose();
        Items?.Dispose();
        NodeNames = null;
        Items = null;
    }
}
