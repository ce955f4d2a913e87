using System.Text.Json.Nodes;

namespace Capstan.Sandbox.Kubernetes;

/// <summary>
/// The API server's admission step for one write: mutating webhooks may change the object, validating ones may
/// refuse it (an <see cref="ApiException"/> with the webhook's words), and both may add warnings, which the server
/// returns to the client in <c>Warning</c> headers as kubectl prints them.
/// </summary>
public interface IAdmission
{
    /// <param name="resource">The kind written.</param>
    /// <param name="operation"><c>CREATE</c>, <c>UPDATE</c> or <c>DELETE</c>.</param>
    /// <param name="obj">The object as it would be stored.</param>
    /// <param name="old">The stored object an update replaces, or null.</param>
    /// <param name="cancellationToken">The request's.</param>
    /// <returns>The object to store and the warnings to pass on.</returns>
    Task<(JsonObject Object, IReadOnlyList<string> Warnings)> AdmitAsync(
        ApiResource resource, string operation, JsonObject obj, JsonObject? old, CancellationToken cancellationToken);
}

/// <summary>No webhooks registered: everything is admitted as sent.</summary>
public sealed class NoAdmission : IAdmission
{
    public static NoAdmission Instance { get; } = new();

    public Task<(JsonObject Object, IReadOnlyList<string> Warnings)> AdmitAsync(
        ApiResource resource, string operation, JsonObject obj, JsonObject? old, CancellationToken cancellationToken) =>
        Task.FromResult<(JsonObject, IReadOnlyList<string>)>((obj, []));
}
