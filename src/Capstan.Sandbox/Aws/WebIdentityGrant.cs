namespace Capstan.Sandbox.Aws;

/// <summary>One role the <see cref="StsStandIn"/> let a web identity token assume, and the keys it issued.</summary>
public sealed record WebIdentityGrant
{
    public required string RoleArn { get; init; }

    public required string RoleSessionName { get; init; }

    /// <summary>The token exactly as the caller sent it.</summary>
    public required string WebIdentityToken { get; init; }

    public required string Account { get; init; }

    public required string AssumedRoleArn { get; init; }

    public required string AssumedRoleId { get; init; }

    public required string AccessKeyId { get; init; }

    public required string SecretAccessKey { get; init; }

    public required string SessionToken { get; init; }

    public required DateTimeOffset Expiration { get; init; }
}
