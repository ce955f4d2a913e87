namespace Capstan.Core.Scheduling;

/// <summary>Node selector operators, as in <c>corev1.NodeSelectorOperator</c>.</summary>
public enum RequirementOperator
{
    In,
    NotIn,
    Exists,
    DoesNotExist,
    Gt,
    Lt,
}
