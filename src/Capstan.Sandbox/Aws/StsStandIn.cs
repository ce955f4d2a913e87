using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security;
using System.Text.RegularExpressions;

namespace Capstan.Sandbox.Aws;

/// <summary>
/// STS behind the <see cref="AwsStandIn"/>, in the Query protocol (namespace <c>https://sts.amazonaws.com/doc/2011-06-15/</c>):
/// <c>GetCallerIdentity</c> (answering for whoever signed the call: a key it issued maps back to its assumed role) and
/// <c>AssumeRoleWithWebIdentity</c>, the call the SDK's IRSA provider makes unsigned with the service account token. It
/// records every token and role it was given.
/// </summary>
public sealed partial class StsStandIn : IAwsService
{
    public const string Namespace = "https://sts.amazonaws.com/doc/2011-06-15/";

    private readonly ConcurrentQueue<WebIdentityGrant> _grants = new();
    private readonly ConcurrentDictionary<string, WebIdentityGrant> _byAccessKey = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private int _issued;

    public StsStandIn(TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
    }

    public string Name => "sts";

    public string AccountId { get; init; } = "123456789012";

    /// <summary>The identity long-term keys (anything STS did not issue) answer to.</summary>
    public string UserArn { get; init; } = "arn:aws:iam::123456789012:user/capstan";

    /// <summary>Every AssumeRoleWithWebIdentity that succeeded, in order.</summary>
    public IReadOnlyList<WebIdentityGrant> Grants => [.. _grants];

    public ValueTask<AwsReply> HandleAsync(AwsCall request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var reply = request.Action switch
        {
            "GetCallerIdentity" => GetCallerIdentity(request),
            "AssumeRoleWithWebIdentity" => AssumeRoleWithWebIdentity(request),
            _ => Error("InvalidAction", $"Could not find operation {request.Action} for version 2011-06-15"),
        };
        return ValueTask.FromResult(reply);
    }

    [GeneratedRegex(@"^arn:aws[a-z-]*:iam::(\d{12}):role/(?:[\w+=,.@-]+/)*([\w+=,.@-]{1,64})$")]
    private static partial Regex RoleArnPattern();

    [GeneratedRegex(@"Credential=([^/]+)/")]
    private static partial Regex AccessKeyPattern();

    private AwsReply GetCallerIdentity(AwsCall request)
    {
        var key = request.Headers.TryGetValue("authorization", out var authorization) && AccessKeyPattern().Match(authorization) is { Success: true } m
            ? m.Groups[1].Value
            : "";
        string arn, userId, account;
        if (_byAccessKey.TryGetValue(key, out var grant))
        {
            arn = grant.AssumedRoleArn;
            userId = grant.AssumedRoleId;
            account = grant.Account;
        }
        else
        {
            arn = UserArn;
            userId = "AIDA" + Pad(key, 17);
            account = AccountId;
        }

        return AwsReply.Xml(
            $"<GetCallerIdentityResponse xmlns=\"{Namespace}\"><GetCallerIdentityResult><Arn>{Escape(arn)}</Arn><UserId>{Escape(userId)}</UserId>" +
            $"<Account>{account}</Account></GetCallerIdentityResult>{Metadata()}</GetCallerIdentityResponse>");
    }

    private AwsReply AssumeRoleWithWebIdentity(AwsCall request)
    {
        var roleArn = request.Get("RoleArn");
        var session = request.Get("RoleSessionName");
        var token = request.Get("WebIdentityToken");
        foreach (var (name, value) in new[] { ("roleArn", roleArn), ("roleSessionName", session), ("webIdentityToken", token) })
        {
            if (string.IsNullOrEmpty(value))
            {
                return Error("ValidationError", $"1 validation error detected: Value null at '{name}' failed to satisfy constraint: Member must not be null");
            }
        }

        var role = RoleArnPattern().Match(roleArn!);
        if (!role.Success)
        {
            return Error("ValidationError", $"{roleArn} is invalid");
        }

        if (token!.Split('.').Length != 3)
        {
            return Error("InvalidIdentityToken", "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)");
        }

        var duration = int.TryParse(request.Get("DurationSeconds"), CultureInfo.InvariantCulture, out var seconds) ? seconds : 3600;
        var n = Interlocked.Increment(ref _issued);
        var account = role.Groups[1].Value;
        var roleName = role.Groups[2].Value;
        var grant = new WebIdentityGrant
        {
            RoleArn = roleArn!,
            RoleSessionName = session!,
            WebIdentityToken = token,
            Account = account,
            AssumedRoleArn = $"arn:aws:sts::{account}:assumed-role/{roleName}/{session}",
            AssumedRoleId = $"AROA{Pad(roleName, 17)}:{session}",
            AccessKeyId = "ASIA" + n.ToString("D16", CultureInfo.InvariantCulture),
            SecretAccessKey = $"stand-in-secret-{n}",
            SessionToken = $"stand-in-session-token-{n}",
            Expiration = WholeSeconds(_time.GetUtcNow()).AddSeconds(duration),
        };
        _grants.Enqueue(grant);
        _byAccessKey[grant.AccessKeyId] = grant;
        return AwsReply.Xml(
            $"<AssumeRoleWithWebIdentityResponse xmlns=\"{Namespace}\"><AssumeRoleWithWebIdentityResult>" +
            $"<SubjectFromWebIdentityToken>system:serviceaccount:capstan:capstan</SubjectFromWebIdentityToken><Audience>sts.amazonaws.com</Audience>" +
            $"<AssumedRoleUser><Arn>{Escape(grant.AssumedRoleArn)}</Arn><AssumedRoleId>{Escape(grant.AssumedRoleId)}</AssumedRoleId></AssumedRoleUser>" +
            $"<Credentials><SessionToken>{grant.SessionToken}</SessionToken><SecretAccessKey>{grant.SecretAccessKey}</SecretAccessKey>" +
            $"<Expiration>{grant.Expiration.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}</Expiration>" +
            $"<AccessKeyId>{grant.AccessKeyId}</AccessKeyId></Credentials><Provider>oidc.eks.us-east-1.amazonaws.com</Provider>" +
            $"</AssumeRoleWithWebIdentityResult>{Metadata()}</AssumeRoleWithWebIdentityResponse>");
    }

    private static DateTimeOffset WholeSeconds(DateTimeOffset time) => time.AddTicks(-(time.Ticks % TimeSpan.TicksPerSecond));

    private static string Pad(string seed, int length)
    {
        var letters = new string([.. seed.ToUpperInvariant().Where(char.IsAsciiLetterOrDigit)]);
        return (letters + new string('X', length))[..length];
    }

    private static string Metadata() => $"<ResponseMetadata><RequestId>{Guid.NewGuid()}</RequestId></ResponseMetadata>";

    private static AwsReply Error(string code, string message) => AwsReply.QueryError(HttpStatusCode.BadRequest, Namespace, code, message);

    private static string Escape(string text) => SecurityElement.Escape(text) ?? "";
}
