namespace Capstan.Aws.Launch;

/// <summary>One part of a MIME user-data archive: its content type, content and every header it came with.</summary>
public sealed record MimePart(string ContentType, string Content, IReadOnlyList<(string Name, string Value)> Headers);
