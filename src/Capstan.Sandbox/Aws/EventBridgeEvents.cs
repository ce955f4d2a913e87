using System.Globalization;
using System.Text.Json.Nodes;

namespace Capstan.Sandbox.Aws;

/// <summary>
/// The EventBridge events an interruption queue receives, in the shapes AWS delivers them to SQS (the event JSON is
/// the message body): the envelope (<c>version</c>, <c>id</c>, <c>detail-type</c>, <c>source</c>, <c>account</c>,
/// <c>time</c>, <c>region</c>, <c>resources</c>) around each kind's <c>detail</c>.
/// </summary>
public static class EventBridgeEvents
{
    public const string DefaultAccount = "123456789012";
    public const string DefaultRegion = "us-east-1";

    /// <summary><c>aws.ec2</c> "EC2 Spot Instance Interruption Warning"; <paramref name="action"/> is terminate, stop or hibernate.</summary>
    public static string SpotInterruptionWarning(string instanceId, DateTimeOffset time, string action = "terminate", string region = DefaultRegion, string account = DefaultAccount) =>
        Envelope("EC2 Spot Instance Interruption Warning", "aws.ec2", time, region, account, [InstanceArn(instanceId, region, account)],
            new JsonObject { ["instance-id"] = instanceId, ["instance-action"] = action });

    /// <summary><c>aws.ec2</c> "EC2 Instance Rebalance Recommendation".</summary>
    public static string RebalanceRecommendation(string instanceId, DateTimeOffset time, string region = DefaultRegion, string account = DefaultAccount) =>
        Envelope("EC2 Instance Rebalance Recommendation", "aws.ec2", time, region, account, [InstanceArn(instanceId, region, account)],
            new JsonObject { ["instance-id"] = instanceId });

    /// <summary><c>aws.ec2</c> "EC2 Instance State-change Notification" (pending, running, stopping, stopped, shutting-down, terminated).</summary>
    public static string StateChange(string instanceId, string state, DateTimeOffset time, string region = DefaultRegion, string account = DefaultAccount) =>
        Envelope("EC2 Instance State-change Notification", "aws.ec2", time, region, account, [InstanceArn(instanceId, region, account)],
            new JsonObject { ["instance-id"] = instanceId, ["state"] = state });

    /// <summary>
    /// <c>aws.health</c> "AWS Health Event" for the given instances; <c>startTime</c> in the RFC 1123 form AWS Health
    /// writes (<c>Sat, 05 Jun 2016 15:10:09 GMT</c>).
    /// </summary>
    public static string HealthEvent(
        IReadOnlyList<string> instanceIds, DateTimeOffset time, DateTimeOffset startTime, string service = "EC2", string category = "scheduledChange",
        string eventTypeCode = "AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED", string region = DefaultRegion, string account = DefaultAccount)
    {
        ArgumentNullException.ThrowIfNull(instanceIds);
        var entities = new JsonArray();
        foreach (var id in instanceIds)
        {
            entities.Add(new JsonObject { ["entityValue"] = id });
        }

        var detail = new JsonObject
        {
            ["eventArn"] = $"arn:aws:health:{region}::event/{service}/{eventTypeCode}/{eventTypeCode}_{time.ToUnixTimeSeconds()}",
            ["service"] = service,
            ["eventTypeCode"] = eventTypeCode,
            ["eventTypeCategory"] = category,
            ["startTime"] = startTime.UtcDateTime.ToString("r", CultureInfo.InvariantCulture),
            ["endTime"] = startTime.AddHours(2).UtcDateTime.ToString("r", CultureInfo.InvariantCulture),
            ["eventDescription"] = new JsonArray(new JsonObject { ["language"] = "en_US", ["latestDescription"] = "The instance is scheduled for retirement." }),
            ["affectedEntities"] = entities,
        };
        return Envelope("AWS Health Event", "aws.health", time, region, account, [.. instanceIds], detail);
    }

    /// <summary>Any envelope, for kinds Capstan does not handle.</summary>
    public static string Envelope(string detailType, string source, DateTimeOffset time, string region, string account, IReadOnlyList<string> resources, JsonObject detail)
    {
        ArgumentNullException.ThrowIfNull(resources);
        var list = new JsonArray();
        foreach (var resource in resources)
        {
            list.Add(resource);
        }

        return new JsonObject
        {
            ["version"] = "0",
            ["id"] = DeterministicId(detailType, time, resources),
            ["detail-type"] = detailType,
            ["source"] = source,
            ["account"] = account,
            ["time"] = time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ["region"] = region,
            ["resources"] = list,
            ["detail"] = detail,
        }.ToJsonString();
    }

    private static string InstanceArn(string instanceId, string region, string account) => $"arn:aws:ec2:{region}:{account}:instance/{instanceId}";

    private static string DeterministicId(string detailType, DateTimeOffset time, IReadOnlyList<string> resources)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{detailType}|{time:O}|{string.Join(',', resources)}"));
        return new Guid(hash.AsSpan(0, 16)).ToString();
    }
}
