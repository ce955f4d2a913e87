using System.Text.RegularExpressions;

namespace Capstan.Webhook.Validation;

/// <summary>
/// The name rules of <c>k8s.io/apimachinery/pkg/util/validation</c>: qualified names (label and taint keys),
/// label values, DNS-1123 subdomains and DNS-1035 labels. Each check returns null when valid, else why not.
/// </summary>
public static partial class KubernetesNames
{
    private const string QualifiedNameFormat = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

    [GeneratedRegex("^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$", RegexOptions.CultureInvariant)]
    private static partial Regex QualifiedNamePart();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", RegexOptions.CultureInvariant)]
    private static partial Regex Dns1123Subdomain();

    [GeneratedRegex("^[a-z]([-a-z0-9]*[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex Dns1035Label();

    /// <summary><c>IsQualifiedName</c>: an optional DNS subdomain prefix and a slash, then a name of at most 63 characters.</summary>
    public static string? QualifiedName(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "must not be empty";
        }

        var parts = value.Split('/');
        string name;
        switch (parts.Length)
        {
            case 1:
                name = parts[0];
                break;
            case 2:
                if (parts[0].Length == 0)
                {
                    return "prefix part must not be empty";
                }

                if (Subdomain(parts[0]) is { } prefixError)
                {
                    return "prefix part " + prefixError;
                }

                name = parts[1];
                break;
            default:
                return "a qualified name has at most one '/' (an optional DNS prefix, then a name)";
        }

        if (name.Length == 0)
        {
            return "name part must not be empty";
        }

        if (name.Length > 63)
        {
            return "name part must be no more than 63 characters";
        }

        return QualifiedNamePart().IsMatch(name) ? null : QualifiedNameFormat;
    }

    /// <summary><c>IsValidLabelValue</c>: empty, or at most 63 characters of the qualified-name alphabet.</summary>
    public static string? LabelValue(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (value.Length > 63)
        {
            return "must be no more than 63 characters";
        }

        return QualifiedNamePart().IsMatch(value)
            ? null
            : "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
    }

    /// <summary><c>IsDNS1123Subdomain</c>.</summary>
    public static string? Subdomain(string value)
    {
        if (value.Length > 253)
        {
            return "must be no more than 253 characters";
        }

        return Dns1123Subdomain().IsMatch(value)
            ? null
            : "must be a lowercase RFC 1123 subdomain: lowercase alphanumeric characters, '-' or '.', starting and ending with an alphanumeric character";
    }

    /// <summary><c>IsDNS1035Label</c>; with <paramref name="prefix"/> a trailing '-' is allowed (generateName).</summary>
    public static string? Dns1035(string value, bool prefix = false)
    {
        var candidate = prefix && value.EndsWith('-') ? value + "a" : value;
        if (candidate.Length > 63)
        {
            return "must be no more than 63 characters";
        }

        return Dns1035Label().IsMatch(candidate)
            ? null
            : "must be a lowercase RFC 1035 label: lowercase alphanumeric characters or '-', starting with a letter and ending with an alphanumeric character";
    }
}
