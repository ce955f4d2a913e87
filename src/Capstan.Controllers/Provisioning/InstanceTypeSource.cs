using Capstan.Core.Cloud;
using Capstan.Core.InstanceTypes;
using Capstan.Core.Ports;
using Capstan.Core.Provisioning;
using Microsoft.Extensions.Logging;

namespace Capstan.Controllers.Provisioning;

/// <summary>What one provisioner can launch right now: its node template and the cloud's instance types for it.</summary>
public sealed record ProvisionerCapacity(Provisioner Provisioner, NodeTemplate? Template, IReadOnlyList<InstanceType> InstanceTypes, string? Problem);

/// <summary>
/// Resolves each provisioner's node template (inline, or the AWSNodeTemplate its <c>providerRef</c> names) and asks the
/// cloud for the instance types it can launch. A provisioner whose template is missing or whose lookup failed gets no
/// types (its pods are reported, not planned elsewhere by accident) and a problem in words.
/// </summary>
public sealed class InstanceTypeSource(ICloudProvider cloud, ILogger<InstanceTypeSource> logger)
{
    public async Task<IReadOnlyDictionary<string, ProvisionerCapacity>> ResolveAsync(
        IReadOnlyList<Provisioner> provisioners, IReadOnlyList<NodeTemplate> templates, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(provisioners);
        ArgumentNullException.ThrowIfNull(templates);
        var byName = templates.Where(t => t.Name is not null).ToDictionary(t => t.Name!, StringComparer.Ordinal);
        var lookups = provisioners.Select(async p =>
        {
            var template = p.InlineTemplate ?? (p.ProviderRef is { } reference ? byName.GetValueOrDefault(reference) : null);
            if (template is null)
            {
                var problem = p.ProviderRef is { } missing
                    ? $"provisioner {p.Name} references AWSNodeTemplate {missing}, which does not exist"
                    : $"provisioner {p.Name} has neither providerRef nor provider";
                logger.ProvisionerUnusable(p.Name, problem);
                return new ProvisionerCapacity(p, null, [], problem);
            }

            try
            {
                var types = await cloud.GetInstanceTypesAsync(template, p.Kubelet, cancellationToken).ConfigureAwait(false);
                return new ProvisionerCapacity(p, template, types, null);
            }
            catch (CloudProviderException e)
            {
                var problem = $"the instance types of provisioner {p.Name} could not be listed ({e.Message})";
                logger.ProvisionerUnusable(p.Name, problem);
                return new ProvisionerCapacity(p, template, [], problem);
            }
        });
        var resolved = await Task.WhenAll(lookups).ConfigureAwait(false);
        return resolved.ToDictionary(r => r.Provisioner.Name, StringComparer.Ordinal);
    }
}
