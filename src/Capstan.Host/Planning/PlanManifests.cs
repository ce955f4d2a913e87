using Capstan.Kubernetes.Manifests;

namespace Capstan.Host.Planning;

/// <summary>
/// The reading half of <c>capstan plan</c>: files (or <c>-</c> for standard input) to a <see cref="ManifestSet"/>,
/// with Provisioners and AWSNodeTemplates defaulted and validated by the webhook's own code. Notes and warnings
/// go to standard error; so does every error, and then there is no set to plan.
/// </summary>
internal static class PlanManifests
{
    private const string Prefix = "capstan plan: ";

    public static ManifestSet? Read(IReadOnlyList<string> files, TextReader stdin, IReadOnlyDictionary<string, int> scale, TextWriter stderr)
    {
        var sources = new List<(string, string)>();
        var unreadable = new List<string>();
        foreach (var file in files)
        {
            if (ReadFile(file, stdin, out var text) is { } problem)
            {
                unreadable.Add(problem);
            }
            else
            {
                sources.Add((file, text));
            }
        }

        if (unreadable.Count > 0)
        {
            WriteAll(stderr, Prefix, unreadable);
            return null;
        }

        ManifestSet manifests;
        try
        {
            manifests = ManifestReader.Read(sources, scale, new WebhookAdmission());
        }
        catch (ManifestException e)
        {
            WriteAll(stderr, Prefix + "warning: ", e.Warnings);
            WriteAll(stderr, Prefix, e.Errors);
            return null;
        }

        WriteAll(stderr, Prefix + "warning: ", manifests.Warnings);
        WriteAll(stderr, Prefix + "note: ", manifests.Notes);
        return manifests;
    }

    /// <summary>The file's text, or null and the problem in words.</summary>
    private static string? ReadFile(string file, TextReader stdin, out string text)
    {
        text = "";
        if (file == "-")
        {
            text = stdin.ReadToEnd();
            return null;
        }

        if (Directory.Exists(file))
        {
            return $"{file}: is a directory";
        }

        try
        {
            text = File.ReadAllText(file);
            return null;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return $"{file}: no such file";
        }
        catch (UnauthorizedAccessException)
        {
            return $"{file}: cannot be read (permission denied)";
        }
        catch (IOException)
        {
            return $"{file}: cannot be read";
        }
    }

    private static void WriteAll(TextWriter stderr, string prefix, IEnumerable<string> lines)
    {
        foreach (var line in lines)
        {
            stderr.WriteLine(prefix + line);
        }
    }
}
