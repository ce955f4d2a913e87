using Capstan.Webhook.Tests.Support;

namespace Capstan.Webhook.Tests;

/// <summary>Every AWSNodeTemplate rule of Karpenter v0.26.1's AWS provider validation: a failing and a passing case each.</summary>
public sealed class ValidateAwsNodeTemplateTests(WebhookServer server) : IClassFixture<WebhookServer>
{
    private const string Base = """
        {"apiVersion":"karpenter.k8s.aws/v1alpha1","kind":"AWSNodeTemplate","metadata":{"name":"default"},
         "spec":{"subnetSelector":{"karpenter.sh/discovery":"demo"},"securityGroupSelector":{"karpenter.sh/discovery":"demo"}}}
        """;

    public static TheoryData<string, string, string, string> Rules => new()
    {
        { "launchTemplate exclusions", """{"spec":{"launchTemplate":"lt","userData":"x","amiSelector":{"a":"b"}}}""", """{"spec":{"launchTemplate":"lt","securityGroupSelector":null}}""", "spec.userData: cannot be combined with launchTemplate" },
        { "launchTemplate sg", """{"spec":{"launchTemplate":"lt"}}""", """{"spec":{"launchTemplate":"lt","securityGroupSelector":null}}""", "spec.securityGroupSelector: cannot be combined with launchTemplate" },
        { "subnetSelector required", """{"spec":{"subnetSelector":null}}""", """{"spec":{"subnetSelector":{"Name":"*"}}}""", "spec.subnetSelector: is required" },
        { "subnetSelector empty value", """{"spec":{"subnetSelector":{"Name":""}}}""", """{"spec":{"subnetSelector":{"Name":"private-*"}}}""", "spec.subnetSelector[\"Name\"]: value must not be empty" },
        { "subnetSelector empty key", """{"spec":{"subnetSelector":{"":"x"}}}""", """{"spec":{"subnetSelector":{"k":"x"}}}""", "spec.subnetSelector: keys must not be empty" },
        { "subnet ids", """{"spec":{"subnetSelector":{"aws-ids":"subnet-123,sn-456"}}}""", """{"spec":{"subnetSelector":{"aws-ids":"subnet-123,subnet-abc"}}}""", "\"sn-456\" is not an ID of the form subnet-" },
        { "id key alone", """{"spec":{"subnetSelector":{"aws::ids":"subnet-1","Name":"x"}}}""", """{"spec":{"subnetSelector":{"aws::ids":"subnet-1"}}}""", "an ID key must be the only key in its selector" },
        { "securityGroupSelector required", """{"spec":{"securityGroupSelector":null}}""", """{"spec":{"securityGroupSelector":{"aws-ids":"sg-0abc"}}}""", "spec.securityGroupSelector: is required unless launchTemplate is set" },
        { "sg ids", """{"spec":{"securityGroupSelector":{"aws-ids":"group-1"}}}""", """{"spec":{"securityGroupSelector":{"aws-ids":"sg-1"}}}""", "\"group-1\" is not an ID of the form sg-" },
        { "tag empty key", """{"spec":{"tags":{"":"x"}}}""", """{"spec":{"tags":{"team":"x"}}}""", "spec.tags: tag keys must not be empty" },
        { "tag reserved", """{"spec":{"tags":{"kubernetes.io/cluster/demo":"owned"}}}""", """{"spec":{"tags":{"kubernetes.io/team":"x"}}}""", "spec.tags[\"kubernetes.io/cluster/demo\"]: is set by Capstan" },
        { "tag managed-by", """{"spec":{"tags":{"karpenter.sh/managed-by":"me"}}}""", """{"spec":{"tags":{"karpenter.sh/team":"me"}}}""", "spec.tags[\"karpenter.sh/managed-by\"]" },
        { "httpEndpoint", """{"spec":{"metadataOptions":{"httpEndpoint":"on"}}}""", """{"spec":{"metadataOptions":{"httpEndpoint":"enabled"}}}""", "spec.metadataOptions.httpEndpoint: \"on\" is not allowed" },
        { "httpProtocolIPv6", """{"spec":{"metadataOptions":{"httpProtocolIPv6":"yes"}}}""", """{"spec":{"metadataOptions":{"httpProtocolIPv6":"disabled"}}}""", "spec.metadataOptions.httpProtocolIPv6" },
        { "hop limit", """{"spec":{"metadataOptions":{"httpPutResponseHopLimit":65}}}""", """{"spec":{"metadataOptions":{"httpPutResponseHopLimit":2}}}""", "must be between 1 and 64 (got 65)" },
        { "httpTokens", """{"spec":{"metadataOptions":{"httpTokens":"always"}}}""", """{"spec":{"metadataOptions":{"httpTokens":"required"}}}""", "spec.metadataOptions.httpTokens" },
        { "amiFamily", """{"spec":{"amiFamily":"Windows2019"}}""", """{"spec":{"amiFamily":"Bottlerocket"}}""", "spec.amiFamily: \"Windows2019\" is not supported" },
        { "custom needs amiSelector", """{"spec":{"amiFamily":"Custom"}}""", """{"spec":{"amiFamily":"Custom","amiSelector":{"aws-ids":"ami-0abc"}}}""", "spec.amiSelector: is required when amiFamily is Custom" },
        { "ami ids", """{"spec":{"amiSelector":{"aws-ids":"image-1"}}}""", """{"spec":{"amiSelector":{"Name":"my-ami-*"}}}""", "\"image-1\" is not an ID of the form ami-" },
        { "ami empty value", """{"spec":{"amiSelector":{"Name":""}}}""", """{"spec":{"amiSelector":{"Name":"x"}}}""", "spec.amiSelector[\"Name\"]: value must not be empty" },
        { "device name", """{"spec":{"blockDeviceMappings":[{"ebs":{"volumeSize":"20Gi"}}]}}""", """{"spec":{"blockDeviceMappings":[{"deviceName":"/dev/xvda","ebs":{"volumeSize":"20Gi"}}]}}""", "spec.blockDeviceMappings[0].deviceName: is required" },
        { "ebs required", """{"spec":{"blockDeviceMappings":[{"deviceName":"/dev/xvda"}]}}""", """{"spec":{"blockDeviceMappings":[{"deviceName":"/dev/xvda","ebs":{"snapshotID":"snap-1"}}]}}""", "spec.blockDeviceMappings[0].ebs: is required" },
        { "volume type", """{"spec":{"blockDeviceMappings":[{"deviceName":"/dev/xvda","ebs":{"volumeSize":"20Gi","volumeType":"gp9"}}]}}""", """{"spec":{"blockDeviceMappings":[{"deviceName":"/dev/xvda","ebs":{"volumeSize":"20Gi","volumeType":"gp3"}}]}}""", "\"gp9\" is not an EBS volume type" },
        { "volume size required", """{"spec":{"blockDeviceMappings":[{"deviceName":"/dev/xvda","ebs":{}}]}}""", """{"spec":{"blockDeviceMappings":[{"deviceName":"/dev/xvda","ebs":{"volumeSize":"1G"}}]}}""", "volumeSize: is required unless snapshotID is set" },
        { "volume size range", """{"spec":{"blockDeviceMappings":[{"deviceName":"/dev/xvda","ebs":{"volumeSize":"65T"}}]}}""", """{"spec":{"blockDeviceMappings":[{"deviceName":"/dev/xvda","ebs":{"volumeSize":"64T"}}]}}""", "65T is outside 1G..64T" },
        { "metadata name", """{"metadata":{"name":"Default"}}""", """{"metadata":{"name":"default-2"}}""", "metadata.name" },
    };

    /// <summary>Merges the fragment, replacing (not merging) any selector map it names.</summary>
    private static System.Text.Json.Nodes.JsonNode Merge(string fragment)
    {
        var spec = System.Text.Json.Nodes.JsonNode.Parse(fragment)!["spec"]?.AsObject();
        var clearing = new System.Text.Json.Nodes.JsonObject();
        foreach (var selector in new[] { "subnetSelector", "securityGroupSelector" })
        {
            if (spec?.ContainsKey(selector) == true)
            {
                clearing[selector] = null;
            }
        }

        var cleared = ValidateProvisionerTests.Merge(Base, new System.Text.Json.Nodes.JsonObject { ["spec"] = clearing }.ToJsonString());
        return ValidateProvisionerTests.Merge(cleared.ToJsonString(), fragment);
    }

    [Theory]
    [MemberData(nameof(Rules))]
    public async Task Validate_Rule_DeniesBreakingAndAdmitsHonouringTemplate(string rule, string breaking, string honouring, string expected)
    {
        var denied = await server.ReviewAsync("/webhook/validate", Reviews.Request(Merge(breaking)));
        var admitted = await server.ReviewAsync("/webhook/validate", Reviews.Request(Merge(honouring)));

        Assert.False(denied["allowed"]!.GetValue<bool>(), rule);
        Assert.Contains(expected, denied["status"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith("AWSNodeTemplate \"", denied["status"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(admitted["allowed"]!.GetValue<bool>(), $"{rule}: {admitted["status"]?["message"]}");
    }
}
