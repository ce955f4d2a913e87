namespace Capstan.Sandbox.Aws;

/// <summary>One AWS service behind the stand-in (ec2, ssm, sqs, pricing, sts, autoscaling).</summary>
public interface IAwsService
{
    /// <summary>The SigV4 signing name the SDK puts in the credential scope (<c>ec2</c>, <c>ssm</c>, ...).</summary>
    string Name { get; }

    /// <summary>Answers one call; an unknown action gets the service's own "invalid action" error.</summary>
    ValueTask<AwsReply> HandleAsync(AwsCall request, CancellationToken cancellationToken);
}
