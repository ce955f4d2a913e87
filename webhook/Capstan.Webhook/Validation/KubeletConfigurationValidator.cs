using System.Globalization;
using Capstan.Core.Resources;
using Capstan.Kubernetes.Crds;
using FluentValidation;
using k8s.Models;

namespace Capstan.Webhook.Validation;

/// <summary>
/// <c>spec.kubeletConfiguration</c> (Karpenter v0.26.1's Provisioner validation): eviction signals and thresholds,
/// reserved resources, image GC thresholds, soft eviction grace periods, and the schema ranges.
/// </summary>
public sealed class KubeletConfigurationValidator : AbstractValidator<KubeletConfiguration>
{
    public static readonly IReadOnlyList<string> EvictionSignals =
        ["memory.available", "nodefs.available", "nodefs.inodesFree", "imagefs.available", "imagefs.inodesFree", "pid.available"];

    public static readonly IReadOnlyList<string> ReservedResources = ["cpu", "memory", "ephemeral-storage", "pid"];

    public KubeletConfigurationValidator()
    {
        RuleFor(k => k.MaxPods).GreaterThanOrEqualTo(0).OverridePropertyName("maxPods").WithMessage("must not be negative (got {PropertyValue})");
        RuleFor(k => k.PodsPerCore).GreaterThanOrEqualTo(0).OverridePropertyName("podsPerCore").WithMessage("must not be negative (got {PropertyValue})");
        RuleFor(k => k.EvictionMaxPodGracePeriod).GreaterThanOrEqualTo(0).OverridePropertyName("evictionMaxPodGracePeriod")
            .WithMessage("must not be negative (got {PropertyValue})");
        RuleFor(k => k.ImageGCHighThresholdPercent).InclusiveBetween(0, 100).OverridePropertyName("imageGCHighThresholdPercent")
            .WithMessage("must be between 0 and 100 (got {PropertyValue})");
        RuleFor(k => k.ImageGCLowThresholdPercent).InclusiveBetween(0, 100).OverridePropertyName("imageGCLowThresholdPercent")
            .WithMessage("must be between 0 and 100 (got {PropertyValue})");
        RuleFor(k => k).Custom((kubelet, context) =>
        {
            if (kubelet.ImageGCHighThresholdPercent is { } high && kubelet.ImageGCLowThresholdPercent is { } low && high < low)
            {
                context.AddFailure("imageGCHighThresholdPercent", $"must not be below imageGCLowThresholdPercent ({high} < {low})");
            }

            Eviction(kubelet.EvictionHard, "evictionHard", context);
            Eviction(kubelet.EvictionSoft, "evictionSoft", context);
            Reserved(kubelet.KubeReserved, "kubeReserved", context);
            Reserved(kubelet.SystemReserved, "systemReserved", context);
            GracePeriods(kubelet, context);
        });
    }

    private static void Eviction(Dictionary<string, string>? thresholds, string field, ValidationContext<KubeletConfiguration> context)
    {
        foreach (var (signal, value) in thresholds ?? [])
        {
            if (!EvictionSignals.Contains(signal, StringComparer.Ordinal))
            {
                context.AddFailure($"{field}[\"{signal}\"]", $"\"{signal}\" is not a supported eviction signal; use one of {string.Join(", ", EvictionSignals)}");
                continue;
            }

            var text = value ?? "";
            if (text.EndsWith('%'))
            {
                if (!double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var percent) || percent < 0 || percent > 100)
                {
                    context.AddFailure($"{field}[\"{signal}\"]", $"\"{text}\" is not a percentage between 0% and 100%");
                }
            }
            else if (!Quantity.TryParse(text, out _, out var error))
            {
                context.AddFailure($"{field}[\"{signal}\"]", $"\"{text}\" is neither a percentage nor a quantity: {error}");
            }
        }
    }

    private static void Reserved(Dictionary<string, ResourceQuantity>? reserved, string field, ValidationContext<KubeletConfiguration> context)
    {
        foreach (var (name, value) in reserved ?? [])
        {
            if (!ReservedResources.Contains(name, StringComparer.Ordinal))
            {
                context.AddFailure($"{field}[\"{name}\"]", $"\"{name}\" cannot be reserved; use one of {string.Join(", ", ReservedResources)}");
            }

            var text = value?.ToString();
            if (!Quantity.TryParse(text, out var quantity, out var error))
            {
                context.AddFailure($"{field}[\"{name}\"]", $"\"{text}\" is not a quantity: {error}");
            }
            else if (quantity.Sign < 0)
            {
                context.AddFailure($"{field}[\"{name}\"]", $"must not be negative (got {quantity})");
            }
        }
    }

    private static void GracePeriods(KubeletConfiguration kubelet, ValidationContext<KubeletConfiguration> context)
    {
        var grace = kubelet.EvictionSoftGracePeriod ?? [];
        var soft = kubelet.EvictionSoft ?? [];
        foreach (var (signal, period) in grace)
        {
            if (!EvictionSignals.Contains(signal, StringComparer.Ordinal))
            {
                context.AddFailure($"evictionSoftGracePeriod[\"{signal}\"]", $"\"{signal}\" is not a supported eviction signal; use one of {string.Join(", ", EvictionSignals)}");
            }
            else if (!soft.ContainsKey(signal))
            {
                context.AddFailure($"evictionSoftGracePeriod[\"{signal}\"]", $"has no matching evictionSoft[\"{signal}\"] threshold");
            }

            if (!GoDuration.TryParse(period, out _))
            {
                context.AddFailure($"evictionSoftGracePeriod[\"{signal}\"]", $"\"{period}\" is not a duration such as 1m30s");
            }
        }

        foreach (var signal in soft.Keys)
        {
            if (EvictionSignals.Contains(signal, StringComparer.Ordinal) && !grace.ContainsKey(signal))
            {
                context.AddFailure($"evictionSoft[\"{signal}\"]", $"needs a matching evictionSoftGracePeriod[\"{signal}\"]");
            }
        }
    }
}
