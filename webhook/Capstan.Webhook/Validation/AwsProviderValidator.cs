using System.Text.RegularExpressions;
using Capstan.Core.Resources;
using Capstan.Kubernetes.Crds;
using FluentValidation;

namespace Capstan.Webhook.Validation;

/// <summary>
/// The AWS provider rules (Karpenter v0.26.1's AWS provider validation, with the v0.31 additions) shared by AWSNodeTemplate's spec and the
/// inline <c>spec.provider</c>. The inline form keeps the v0.5 behaviour of discovering subnets and security groups
/// by the cluster tag when no selector is given, so <see cref="Inline"/> does not require the selectors.
/// </summary>
public sealed partial class AwsProviderValidator : AbstractValidator<AwsProviderSpec>
{
    public static readonly IReadOnlyList<string> AmiFamilies = ["AL2", "Bottlerocket", "Ubuntu", "Custom"];

    public static readonly IReadOnlyList<string> IdKeys = ["aws-ids", "aws::ids"];

    public static readonly IReadOnlyList<string> VolumeTypes = ["standard", "io1", "io2", "gp2", "sc1", "st1", "gp3"];

    private static readonly Quantity s_minVolume = Quantity.Parse("1G");
    private static readonly Quantity s_maxVolume = Quantity.Parse("64T");

    /// <summary>Rules for <c>AWSNodeTemplate.spec</c>.</summary>
    public static readonly AwsProviderValidator NodeTemplate = new(requireSelectors: true);

    /// <summary>Rules for the inline <c>Provisioner.spec.provider</c>.</summary>
    public static readonly AwsProviderValidator Inline = new(requireSelectors: false);

    [GeneratedRegex("^subnet-[0-9a-z]+$", RegexOptions.CultureInvariant)]
    private static partial Regex SubnetId();

    [GeneratedRegex("^sg-[0-9a-z]+$", RegexOptions.CultureInvariant)]
    private static partial Regex SecurityGroupId();

    [GeneratedRegex("^ami-[0-9a-z]+$", RegexOptions.CultureInvariant)]
    private static partial Regex AmiId();

    [GeneratedRegex("^kubernetes\\.io/cluster/[^/]+$", RegexOptions.CultureInvariant)]
    private static partial Regex ClusterTag();

    private AwsProviderValidator(bool requireSelectors)
    {
        RuleFor(p => p).Custom((provider, context) =>
        {
            var template = provider as AwsNodeTemplateSpec;
            if (provider.LaunchTemplate is { Length: > 0 })
            {
                var conflicts = new List<string>();
                AddIf(conflicts, provider.SecurityGroupSelector is not null, "securityGroupSelector");
                AddIf(conflicts, provider.MetadataOptions is not null, "metadataOptions");
                AddIf(conflicts, provider.AmiFamily is not null, "amiFamily");
                AddIf(conflicts, provider.InstanceProfile is not null, "instanceProfile");
                AddIf(conflicts, provider.BlockDeviceMappings is { Count: > 0 }, "blockDeviceMappings");
                AddIf(conflicts, template?.UserData is not null, "userData");
                AddIf(conflicts, template?.AmiSelector is not null, "amiSelector");
                foreach (var field in conflicts)
                {
                    context.AddFailure(field, "cannot be combined with launchTemplate; set it in the launch template or drop launchTemplate");
                }
            }

            if (provider.SubnetSelector is null)
            {
                if (requireSelectors)
                {
                    context.AddFailure("subnetSelector", "is required: tags (or aws-ids) that select the subnets nodes launch into");
                }
            }
            else
            {
                Selector(provider.SubnetSelector, "subnetSelector", SubnetId(), "subnet-", context);
            }

            if (provider.SecurityGroupSelector is null)
            {
                if (requireSelectors && provider.LaunchTemplate is not { Length: > 0 })
                {
                    context.AddFailure("securityGroupSelector", "is required unless launchTemplate is set: tags (or aws-ids) that select the security groups");
                }
            }
            else
            {
                Selector(provider.SecurityGroupSelector, "securityGroupSelector", SecurityGroupId(), "sg-", context);
            }

            if (template?.AmiSelector is { } amiSelector)
            {
                Selector(amiSelector, "amiSelector", AmiId(), "ami-", context);
            }

            if (provider.AmiFamily is { } family && !AmiFamilies.Contains(family, StringComparer.Ordinal))
            {
                context.AddFailure("amiFamily", $"\"{family}\" is not supported; use one of {string.Join(", ", AmiFamilies)}");
            }

            if (template is not null && provider.AmiFamily == "Custom" && template.AmiSelector is null)
            {
                context.AddFailure("amiSelector", "is required when amiFamily is Custom");
            }

            foreach (var key in provider.Tags?.Keys ?? Enumerable.Empty<string>())
            {
                if (key.Length == 0)
                {
                    context.AddFailure("tags", "tag keys must not be empty");
                }
                else if (ClusterTag().IsMatch(key) || key is "karpenter.sh/provisioner-name" or "karpenter.sh/managed-by")
                {
                    context.AddFailure($"tags[\"{key}\"]", "is set by Capstan and cannot be overridden; remove this tag");
                }
            }

            if (provider.MetadataOptions is { } options)
            {
                OneOf(options.HttpEndpoint, "metadataOptions.httpEndpoint", ["enabled", "disabled"], context);
                OneOf(options.HttpProtocolIPv6, "metadataOptions.httpProtocolIPv6", ["enabled", "disabled"], context);
                OneOf(options.HttpTokens, "metadataOptions.httpTokens", ["required", "optional"], context);
                if (options.HttpPutResponseHopLimit is { } hops && (hops < 1 || hops > 64))
                {
                    context.AddFailure("metadataOptions.httpPutResponseHopLimit", $"must be between 1 and 64 (got {hops})");
                }
            }

            for (var i = 0; i < (provider.BlockDeviceMappings?.Count ?? 0); i++)
            {
                BlockDevice(provider.BlockDeviceMappings![i], $"blockDeviceMappings[{i}]", context);
            }
        });
    }

    private static void AddIf(List<string> list, bool condition, string field)
    {
        if (condition)
        {
            list.Add(field);
        }
    }

    private static void OneOf(string? value, string path, string[] allowed, ValidationContext<AwsProviderSpec> context)
    {
        if (value is not null && !allowed.Contains(value, StringComparer.Ordinal))
        {
            context.AddFailure(path, $"\"{value}\" is not allowed; use one of {string.Join(", ", allowed)}");
        }
    }

    private static void Selector(Dictionary<string, string> selector, string path, Regex idPattern, string idPrefix, ValidationContext<AwsProviderSpec> context)
    {
        foreach (var (key, value) in selector)
        {
            var entry = $"{path}[\"{key}\"]";
            if (key.Length == 0)
            {
                context.AddFailure(path, "keys must not be empty");
                continue;
            }

            if (string.IsNullOrEmpty(value))
            {
                context.AddFailure(entry, "value must not be empty; use \"*\" to match any value");
                continue;
            }

            if (!IdKeys.Contains(key, StringComparer.Ordinal))
            {
                continue;
            }

            if (selector.Count > 1)
            {
                context.AddFailure(entry, "an ID key must be the only key in its selector");
            }

            foreach (var id in value.Split(','))
            {
                if (!idPattern.IsMatch(id.Trim()))
                {
                    context.AddFailure(entry, $"\"{id.Trim()}\" is not an ID of the form {idPrefix}0123abcd");
                }
            }
        }
    }

    private static void BlockDevice(BlockDeviceMapping mapping, string path, ValidationContext<AwsProviderSpec> context)
    {
        if (string.IsNullOrEmpty(mapping.DeviceName))
        {
            context.AddFailure(path + ".deviceName", "is required, e.g. /dev/xvda");
        }

        if (mapping.Ebs is not { } ebs)
        {
            context.AddFailure(path + ".ebs", "is required");
            return;
        }

        if (ebs.VolumeType is { } type && !VolumeTypes.Contains(type, StringComparer.Ordinal))
        {
            context.AddFailure(path + ".ebs.volumeType", $"\"{type}\" is not an EBS volume type; use one of {string.Join(", ", VolumeTypes)}");
        }

        if (ebs.VolumeSize is null)
        {
            if (string.IsNullOrEmpty(ebs.SnapshotID))
            {
                context.AddFailure(path + ".ebs.volumeSize", "is required unless snapshotID is set");
            }

            return;
        }

        var text = ebs.VolumeSize.ToString();
        if (!Quantity.TryParse(text, out var size, out var error))
        {
            context.AddFailure(path + ".ebs.volumeSize", $"\"{text}\" is not a quantity: {error}");
        }
        else if (size < s_minVolume || size > s_maxVolume)
        {
            context.AddFailure(path + ".ebs.volumeSize", $"{text} is outside 1G..64T");
        }
    }
}
