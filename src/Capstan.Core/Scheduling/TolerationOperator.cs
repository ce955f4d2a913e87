namespace Capstan.Core.Scheduling;

/// <summary>Toleration operators.</summary>
public enum TolerationOperator
{
    Equal,
    Exists,
}
