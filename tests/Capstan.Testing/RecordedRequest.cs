namespace Capstan.Testing;

/// <summary>One request a fake server received; <see cref="Query"/> is the raw query string (with its <c>?</c>).</summary>
public sealed record RecordedRequest(string Method, string Path, string Body, string Query = "", string? ContentType = null);
