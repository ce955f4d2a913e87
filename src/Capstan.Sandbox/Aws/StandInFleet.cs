namespace Capstan.Sandbox.Aws;

/// <summary>An instant fleet the EC2 stand-in answered: its request (by ClientToken) and the answer it gave.</summary>
public sealed record StandInFleet
{
    public required string FleetId { get; init; }

    public required string? ClientToken { get; init; }

    /// <summary>The request's parameters, to tell a repeat from a different request under the same token.</summary>
    public required IReadOnlyDictionary<string, string> Parameters { get; init; }

    public required IReadOnlyList<string> InstanceIds { get; init; }

    /// <summary>The tags the request gave the fleet itself.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary>The response body, given again verbatim for a repeat of the same request.</summary>
    public required string ResponseBody { get; init; }
}
