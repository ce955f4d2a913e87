namespace Capstan.Aws.Doctor;

/// <summary>One row of <c>capstan doctor</c>: what was checked, whether it passed, what was found, and how to fix a failure.</summary>
public sealed record DoctorCheck(string Name, bool Ok, string Detail, string? Fix = null)
{
    public static DoctorCheck Pass(string name, string detail) => new(name, true, detail);

    public static DoctorCheck Failed(string name, string detail, string fix) => new(name, false, detail, fix);
}
