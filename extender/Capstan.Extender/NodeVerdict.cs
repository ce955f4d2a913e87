namespace Capstan.Extender;

/// <summary>Filter's answer for one node: a null <see cref="Reason"/> keeps it; otherwise which map it goes into.</summary>
internal readonly record struct NodeVerdict(string? Reason, bool Resolvable);
