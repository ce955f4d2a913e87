using System.Text;
using Capstan.Core.Resources;

namespace Capstan.Controllers.Provisioning;

/// <summary>Resource lists as the log lines print them: <c>{"cpu":"7","memory":"10.5Gi","pods":"7"}</c>, bytes in binary units.</summary>
internal static class ResourceText
{
    public static string Of(ResourceList resources)
    {
        var text = new StringBuilder("{");
        foreach (var (name, quantity) in resources)
        {
            if (text.Length > 1)
            {
                text.Append(',');
            }

            text.Append('"').Append(name).Append("\":\"").Append(ResourceNames.FormatReadable(name, quantity)).Append('"');
        }

        return text.Append('}').ToString();
    }
}
