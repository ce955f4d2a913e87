namespace Capstan.Aws.AutoScaling;

/// <summary>
/// What a group launches, as far as its template says: the instance type names in the group's order, where they
/// came from (for <c>capstan doctor</c>), whether the template itself asks for spot, and why nothing could be read
/// when <see cref="Names"/> is empty.
/// </summary>
/// <param name="Names">instance type names, first the one planned for</param>
/// <param name="Description"><c>launch template lt-0abc version $Default</c>, <c>mixed instances policy (4 types)</c>, ...</param>
/// <param name="TemplateRequestsSpot">the launch template's market options ask for spot</param>
/// <param name="Problem">why the types could not be resolved (or some of them), in words; null when all were</param>
public sealed record GroupTypes(IReadOnlyList<string> Names, string Description, bool TemplateRequestsSpot, string? Problem);
