namespace Capstan.Core.Scheduling;

/// <summary>A host port a pod binds; two pods conflict when protocol and port match and the IPs overlap.</summary>
public readonly record struct HostPort(string Protocol, int Port, string HostIp = "0.0.0.0")
{
    public bool ConflictsWith(HostPort other) =>
        Port == other.Port && string.Equals(Protocol, other.Protocol, StringComparison.OrdinalIgnoreCase)
        && (HostIp == other.HostIp || IsWildcard(HostIp) || IsWildcard(other.HostIp));

    private static bool IsWildcard(string ip) => ip is "" or "0.0.0.0" or "::";

    public override string ToString() => $"{Protocol}/{Port}";
}
