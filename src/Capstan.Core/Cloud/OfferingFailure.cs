namespace Capstan.Core.Cloud;

/// <summary>An offering (type, zone, capacity type) a launch could not get, with the cloud's code and message.</summary>
public sealed record OfferingFailure(string InstanceType, string Zone, string CapacityType, string Code, string Message);
