using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;

namespace Capstan.Host.Options;

/// <summary>A parsed <see cref="ServerOptions.Listen"/> value.</summary>
public sealed record ListenAddress(IPAddress? Address, bool Localhost, int Port)
{
    public static bool TryParse(string? text, [NotNullWhen(true)] out ListenAddress? address, [NotNullWhen(false)] out string? error)
    {
        address = null;
        const string prefix = "https://";
        if (text is null || !text.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            error = $"\"{text}\" must start with https:// (the listener serves TLS only)";
            return false;
        }

        var rest = text[prefix.Length..].TrimEnd('/');
        var colon = rest.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(rest[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            error = $"\"{text}\" needs a port, e.g. https://0.0.0.0:8443";
            return false;
        }

        var host = rest[..colon].Trim('[', ']');
        if (host is "*" or "+")
        {
            address = new ListenAddress(IPAddress.Any, false, port);
        }
        else if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            address = new ListenAddress(null, true, port);
        }
        else if (IPAddress.TryParse(host, out var ip))
        {
            address = new ListenAddress(ip, false, port);
        }
        else
        {
            error = $"\"{host}\" is not an IP address, localhost or *";
            return false;
        }

        error = null;
        return true;
    }
}
