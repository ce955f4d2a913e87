namespace Capstan.Sandbox.Kubernetes;

/// <summary>The Binding subresource's rule, shared by the HTTP endpoint and the simulated scheduler.</summary>
public static class ApiServerBinding
{
    /// <summary>What a Binding does: the pod gets its node (once) and PodScheduled=True.</summary>
    public static void Bind(ObjectStore store, string podNamespace, string podName, string? nodeName, string? uid = null)
    {
        if (string.IsNullOrEmpty(nodeName))
        {
            throw ApiException.Invalid(ApiResources.Pods, podName, "target.name: Required value");
        }

        store.Update(ApiResources.Pods, podNamespace, podName, pod =>
        {
            var podUid = (string?)pod["metadata"]?["uid"];
            if (!string.IsNullOrEmpty(uid) && uid != podUid)
            {
                throw new ApiException(409, "Conflict",
                    $"Operation cannot be fulfilled on pods/binding \"{podName}\": Precondition failed: UID in precondition: {uid}, UID in object meta: {podUid}");
            }

            if (pod["metadata"]?["deletionTimestamp"] is not null)
            {
                throw new ApiException(409, "Conflict", $"Operation cannot be fulfilled on pods/binding \"{podName}\": pod {podName} is being deleted, cannot be assigned to a host");
            }

            if ((string?)pod["spec"]?["nodeName"] is { Length: > 0 } boundTo)
            {
                throw new ApiException(409, "Conflict", $"Operation cannot be fulfilled on pods/binding \"{podName}\": pod {podName} is already assigned to node \"{boundTo}\"");
            }

            pod["spec"]!["nodeName"] = nodeName;
            PodConditions.Set(pod, "PodScheduled", "True", null, null, store.Time.GetUtcNow());
            return pod;
        }, internalWrite: true);
    }
}
