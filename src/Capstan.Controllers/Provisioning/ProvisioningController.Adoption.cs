using Capstan.Core.Cloud;

namespace Capstan.Controllers.Provisioning;

/// <summary>
/// Restart safety: an instance that Capstan launched (it carries a claim's tags) but for which no Node exists, because
/// the process died or the API server failed between the launch and the Node's creation, gets its Node now. Its pods,
/// pending again, are then packed onto it instead of onto a second launch.
/// </summary>
public sealed partial class ProvisioningController
{
    /// <summary>
    /// Adopts what it can; true when nothing is left that might still become a node (so new launches cannot double
    /// one). False when the cloud could not be listed, or an instance's node name is not known yet: the pass then
    /// launches nothing and its pods are planned again.
    /// </summary>
    internal async Task<bool> AdoptAsync(CancellationToken cancellationToken)
    {
        _adoptionDue = false;
        IReadOnlyList<CloudInstance> instances;
        try
        {
            instances = await _cloud.ListAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (CloudProviderException e)
        {
            _logger.AdoptionFailed(e);
            _adoptionDue = true;
            return false;
        }

        var known = new HashSet<string>(StringComparer.Ordinal);
        var nodes = _cluster.Nodes();
        foreach (var node in nodes)
        {
            if (node.ProviderId is { } id)
            {
                known.Add(id);
            }
        }

        foreach (var node in _inFlight.Unseen(nodes))
        {
            known.Add(node.ProviderId ?? "");
        }

        var orphans = instances
            .Where(i => !i.IsTerminating && i.ClaimName is not null && i.ProvisionerName is not null && !known.Contains(i.ProviderId))
            .ToList();
        if (orphans.Count == 0)
        {
            return true;
        }

        var provisioners = _cluster.Provisioners().Where(p => orphans.Any(o => o.ProvisionerName == p.Name)).ToList();
        var capacity = await _instanceTypes.ResolveAsync(provisioners, _cluster.NodeTemplates(), cancellationToken).ConfigureAwait(false);
        foreach (var instance in orphans)
        {
            if (string.IsNullOrEmpty(instance.PrivateDnsName))
            {
                // The node's name is not known yet; look again on the next pass.
                _adoptionDue = true;
                continue;
            }

            // Without its provisioner or its type the node cannot be described; garbage collection takes the instance.
            if (!capacity.TryGetValue(instance.ProvisionerName!, out var owner)
                || owner.InstanceTypes.FirstOrDefault(t => t.Name == instance.InstanceType) is not { } type)
            {
                continue;
            }

            var node = NodeBuilder.Build(instance, type, owner.Provisioner, owner.Provisioner.Labels, _time.GetUtcNow());
            try
            {
                await _writer.CreateNodeAsync(node, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not (OperationCanceledException or OutOfMemoryException))
            {
                _logger.NodeCreateFailed(e, node.Name, instance.InstanceId);
                _adoptionDue = true;
                continue;
            }

            _inFlight.Add(node);
            _logger.AdoptedInstance(instance.InstanceId, instance.ClaimName!, node.Name);
        }

        return !_adoptionDue;
    }
}
