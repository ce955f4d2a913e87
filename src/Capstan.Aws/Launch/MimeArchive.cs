using System.Text;
using System.Text.RegularExpressions;

namespace Capstan.Aws.Launch;

/// <summary>
/// A MIME multipart user-data archive as cloud-init reads it: parts, each with its headers and content. Parses the
/// user's own archive (or wraps a plain script as one shell-script part) and writes the merged archive with the
/// boundary <c>//</c> and bare newlines.
/// </summary>
public sealed partial class MimeArchive
{
    public const string ShellScript = "text/x-shellscript; charset=\"us-ascii\"";
    private const string Boundary = "//";

    private readonly List<MimePart> _parts = [];

    public IReadOnlyList<MimePart> Parts => _parts;

    /// <summary>Reads user data: a MIME archive as it is, anything else as one shell-script part; empty gives no parts.</summary>
    /// <exception cref="FormatException">the text claims to be MIME but has no multipart boundary</exception>
    public static MimeArchive Parse(string? userData)
    {
        var archive = new MimeArchive();
        if (string.IsNullOrWhiteSpace(userData))
        {
            return archive;
        }

        var text = userData.Replace("\r\n", "\n", StringComparison.Ordinal);
        var trimmed = text.TrimStart();
        if (!trimmed.StartsWith("MIME-Version:", StringComparison.OrdinalIgnoreCase) && !trimmed.StartsWith("Content-Type:", StringComparison.OrdinalIgnoreCase))
        {
            archive.Add(ShellScript, text);
            return archive;
        }

        var lines = trimmed.Split('\n');
        var (headers, bodyStart) = ReadHeaders(lines, 0);
        var contentType = headers.FirstOrDefault(h => h.Name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)).Value;
        var match = contentType is null ? null : BoundaryParameter().Match(contentType);
        if (contentType is null || !contentType.TrimStart().StartsWith("multipart/", StringComparison.OrdinalIgnoreCase) || match is not { Success: true })
        {
            throw new FormatException("the user data starts with MIME headers but is not a multipart archive with a boundary");
        }

        var boundary = match.Groups[1].Success ? match.Groups[1].Value : match.Groups[2].Value;
        var delimiter = "--" + boundary;
        var i = bodyStart;
        while (i < lines.Length && lines[i].TrimEnd() != delimiter)
        {
            i++;
        }

        while (i < lines.Length && lines[i].TrimEnd() == delimiter)
        {
            var (partHeaders, contentStart) = ReadHeaders(lines, i + 1);
            var end = contentStart;
            while (end < lines.Length && lines[end].TrimEnd() != delimiter && lines[end].TrimEnd() != delimiter + "--")
            {
                end++;
            }

            if (end >= lines.Length)
            {
                throw new FormatException("the user data's multipart archive is not closed by its boundary");
            }

            var partType = partHeaders.FirstOrDefault(h => h.Name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)).Value ?? ShellScript;
            archive._parts.Add(new MimePart(partType, string.Join('\n', lines[contentStart..end]), partHeaders));
            i = end;
        }

        return archive;
    }

    public MimeArchive Add(string contentType, string content)
    {
        _parts.Add(new MimePart(contentType, content, [("Content-Type", contentType)]));
        return this;
    }

    /// <summary>The archive as text: MIME headers, each part with its headers, the closing boundary; no carriage returns.</summary>
    public string Write()
    {
        var text = new StringBuilder();
        text.Append("MIME-Version: 1.0\n");
        text.Append("Content-Type: multipart/mixed; boundary=\"").Append(Boundary).Append("\"\n\n");
        foreach (var part in _parts)
        {
            text.Append("--").Append(Boundary).Append('\n');
            foreach (var (name, value) in part.Headers)
            {
                text.Append(name).Append(": ").Append(value).Append('\n');
            }

            text.Append('\n').Append(part.Content.Replace("\r", "", StringComparison.Ordinal)).Append('\n');
        }

        text.Append("--").Append(Boundary).Append("--\n");
        return text.ToString();
    }

    private static (List<(string Name, string Value)> Headers, int Next) ReadHeaders(string[] lines, int start)
    {
        var headers = new List<(string, string)>();
        var i = start;
        for (; i < lines.Length && lines[i].Trim().Length > 0; i++)
        {
            var line = lines[i];
            if ((line.StartsWith(' ') || line.StartsWith('\t')) && headers.Count > 0)
            {
                var (name, value) = headers[^1];
                headers[^1] = (name, value + " " + line.Trim());
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                headers.Add((line[..colon].Trim(), line[(colon + 1)..].Trim()));
            }
        }

        return (headers, Math.Min(i + 1, lines.Length));
    }

    [GeneratedRegex("boundary=(?:\"([^\"]+)\"|([^;\\s]+))", RegexOptions.IgnoreCase)]
    private static partial Regex BoundaryParameter();
}
