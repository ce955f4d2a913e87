using System.Text.Json;
using k8s;

namespace Capstan.Extender.Wire;

/// <summary>
/// The <see cref="JsonSerializerOptions"/> instance KubernetesClient itself uses. The library keeps it
/// internal but hands it to <see cref="KubernetesJson.AddJsonOptions"/>; we take it from there unchanged,
/// so reading a Pod out of an extender envelope costs no intermediate document.
/// </summary>
internal static class KubernetesJsonOptions
{
    public static readonly JsonSerializerOptions Instance = Capture();

    private static JsonSerializerOptions Capture()
    {
        JsonSerializerOptions? captured = null;
        KubernetesJson.AddJsonOptions(options => captured = options);
        return captured ?? throw new InvalidOperationException("KubernetesJson did not expose its serializer options");
    }
}
