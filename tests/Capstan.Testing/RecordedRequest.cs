namespace Capstan.Testing;

/// <summary>One request a fake server received.</summary>
public sealed record RecordedRequest(string Method, string Path, string Body);
