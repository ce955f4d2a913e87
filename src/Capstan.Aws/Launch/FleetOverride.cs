namespace Capstan.Aws.Launch;

/// <summary>
/// One (type x subnet) choice of a CreateFleet call, with the launch-template group it launches from: the AMI
/// variant (<c>amd64</c>, <c>arm64</c>, <c>amd64-nvidia</c>) and the max-pods its user data carries.
/// </summary>
public sealed record FleetOverride(string InstanceType, string SubnetId, string Zone, double PricePerHour, string AmiKey, int MaxPods);
