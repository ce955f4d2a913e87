using System.Text.Json;
using Capstan.Core.Resources;
using FluentValidation.Results;

namespace Capstan.Webhook.Validation;

/// <summary>
/// A Provisioner's <c>spec.limits.resources</c> checked as sent, before the object is decoded: the client library's
/// own quantity reader refuses some quantities the API server accepts and accepts some it refuses (<c>1 Gi</c>), so the
/// texts are judged by Capstan's reader, which follows the API server's, and a bad one is a field violation (422), not
/// an object that does not decode.
/// </summary>
public static class RawQuantities
{
    public static List<ValidationFailure> ProvisionerLimits(JsonElement provisioner)
    {
        var failures = new List<ValidationFailure>();
        if (provisioner.ValueKind != JsonValueKind.Object
            || !provisioner.TryGetProperty("spec", out var spec) || spec.ValueKind != JsonValueKind.Object
            || !spec.TryGetProperty("limits", out var limits) || limits.ValueKind != JsonValueKind.Object
            || !limits.TryGetProperty("resources", out var resources) || resources.ValueKind != JsonValueKind.Object)
        {
            return failures;
        }

        foreach (var resource in resources.EnumerateObject())
        {
            var text = resource.Value.ValueKind switch
            {
                JsonValueKind.String => resource.Value.GetString(),
                JsonValueKind.Number => resource.Value.GetRawText(),
                _ => null,
            };
            var path = $"spec.limits.resources[\"{resource.Name}\"]";
            if (text is null)
            {
                failures.Add(new ValidationFailure(path, $"must be a quantity such as \"100\" or \"1000Gi\", not {Describe(resource.Value.ValueKind)}"));
            }
            else if (!Quantity.TryParse(text, out _, out var error))
            {
                failures.Add(new ValidationFailure(path, $"\"{text}\" is not a quantity: {error}"));
            }
        }

        return failures;
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
