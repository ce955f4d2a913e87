namespace Capstan.Sandbox.Aws;

/// <summary>One record of the EC2 stand-in's spot price history.</summary>
public sealed record Ec2SpotPrice(string InstanceType, string Zone, double Price, DateTimeOffset Timestamp, string ProductDescription = "Linux/UNIX");
