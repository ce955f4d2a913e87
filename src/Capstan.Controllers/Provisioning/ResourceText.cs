using System.Globalization;
using System.Text;
using Capstan.Core.Resources;

namespace Capstan.Controllers.Provisioning;

/// <summary>Resource lists as the log lines print them: <c>{"cpu":"7","memory":"10.5Gi","pods":"7"}</c>.</summary>
internal static class ResourceText
{
    private const long Gi = 1L << 30;

    public static string Of(ResourceList resources)
    {
        var text = new StringBuilder("{");
        foreach (var (name, quantity) in resources)
        {
            if (text.Length > 1)
            {
                text.Append(',');
            }

            text.Append('"').Append(name).Append("\":\"").Append(Value(name, quantity)).Append('"');
        }

        return text.Append('}').ToString();
    }

    private static string Value(string name, Quantity quantity)
    {
        if (name is not (ResourceNames.Memory or ResourceNames.EphemeralStorage) || quantity.MilliValue % 1000 != 0)
        {
            return quantity.ToString();
        }

        // Memory reads best in Gi with at most two decimals when it is that close to a round figure.
        var bytes = quantity.MilliValue / 1000;
        var hundredths = bytes * 100 / Gi;
        return bytes >= Gi && hundredths * Gi == bytes * 100
            ? (hundredths / 100m).ToString("0.##", CultureInfo.InvariantCulture) + "Gi"
            : quantity.ToBinaryString();
    }
}
