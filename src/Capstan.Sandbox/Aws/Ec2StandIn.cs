using System.Net;

namespace Capstan.Sandbox.Aws;

/// <summary>
/// EC2 behind the <see cref="AwsStandIn"/>: a small stateful world (subnets, security groups, images, instance
/// types and offerings, spot prices, launch templates, fleets and instances) answering the Query API in EC2's XML.
/// The read side (discovery, types, prices) and the launch side (templates, fleets, instances) live in their own
/// partial files and register their actions here.
/// </summary>
public sealed partial class Ec2StandIn : IAwsService
{
    private readonly Dictionary<string, Func<AwsCall, AwsReply>> _actions = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public Ec2StandIn(TimeProvider? time = null)
    {
        Time = time ?? TimeProvider.System;
        RegisterReadActions();
        RegisterLaunchActions();
        RegisterGroupActions();
    }

    public string Name => "ec2";

    /// <summary>The clock launch times and state changes are stamped with.</summary>
    public TimeProvider Time { get; }

    /// <summary>The region the world lives in.</summary>
    public string Region { get; init; } = "us-east-1";

    /// <summary>The account id owning everything.</summary>
    public string AccountId { get; init; } = "123456789012";

    public ValueTask<AwsReply> HandleAsync(AwsCall request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!_actions.TryGetValue(request.Action, out var handler))
        {
            return ValueTask.FromResult(AwsReply.Ec2Error(HttpStatusCode.BadRequest, "InvalidAction", $"The action {request.Action} is not valid for this web service."));
        }

        lock (_gate)
        {
            return ValueTask.FromResult(handler(request));
        }
    }

    /// <summary>Registers one action's handler (called by the partial files; handlers run under the world's lock).</summary>
    private void On(string action, Func<AwsCall, AwsReply> handler) => _actions[action] = handler;

    /// <summary>EC2's answer to a request it will not carry out (400 with the code and message).</summary>
    private static AwsReply BadRequest(string code, string message) => AwsReply.Ec2Error(HttpStatusCode.BadRequest, code, message);

    partial void RegisterReadActions();

    partial void RegisterLaunchActions();

    partial void RegisterGroupActions();
}
