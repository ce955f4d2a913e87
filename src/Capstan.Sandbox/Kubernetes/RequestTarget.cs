namespace Capstan.Sandbox.Kubernetes;

/// <summary>
/// What a REST path names: <c>/api/v1/{plural}[/{name}[/{sub}]]</c>,
/// <c>/api/v1/namespaces/{ns}/{plural}[/{name}[/{sub}]]</c> and the same under <c>/apis/{group}/{version}</c>.
/// </summary>
public sealed record RequestTarget(ApiResource Resource, string? Namespace, string? Name, string? Subresource)
{
    public static RequestTarget? Parse(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var parts = path.Trim('/').Split('/');
        string group;
        string version;
        int rest;
        if (parts.Length >= 3 && parts[0] == "api")
        {
            (group, version, rest) = ("", parts[1], 2);
        }
        else if (parts.Length >= 4 && parts[0] == "apis")
        {
            (group, version, rest) = (parts[1], parts[2], 3);
        }
        else
        {
            return null;
        }

        var tail = parts[rest..].Select(Uri.UnescapeDataString).ToArray();
        if (tail.Length >= 3 && tail[0] == "namespaces" && ApiResources.Find(group, version, tail[2]) is { Namespaced: true } scoped)
        {
            return Named(scoped, tail[1], tail[3..]);
        }

        return ApiResources.Find(group, version, tail[0]) is { } resource ? Named(resource, null, tail[1..]) : null;
    }

    private static RequestTarget? Named(ApiResource resource, string? ns, string[] rest) => rest.Length switch
    {
        0 => new RequestTarget(resource, ns, null, null),
        1 => new RequestTarget(resource, ns, rest[0], null),
        2 when resource.Subresources.Contains(rest[1]) => new RequestTarget(resource, ns, rest[0], rest[1]),
        _ => null,
    };
}
