namespace Capstan.Controllers.Provisioning;

/// <summary>The provisioning loop's settings (<c>Capstan:Provisioning</c>).</summary>
public sealed class ProvisioningOptions
{
    public const string SectionName = "Capstan:Provisioning";

    /// <summary>A batch closes once no new pending pod has arrived for this long.</summary>
    public TimeSpan BatchIdleDuration { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A batch closes at the latest this long after its first pod, however busy the arrivals.</summary>
    public TimeSpan BatchMaxDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A node Capstan launched that has not been initialized after this long is deleted and its instance terminated.</summary>
    public TimeSpan RegistrationTtl { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Launches (CreateFleet calls) running at once within one batch.</summary>
    public int LaunchConcurrency { get; set; } = 8;

    /// <summary>Bindings in flight at once for one node's pods.</summary>
    public int BindConcurrency { get; set; } = 16;

    /// <summary>Tries of one claim's launch when the cloud fails with something other than a capacity shortage.</summary>
    public int LaunchAttempts { get; set; } = 3;

    /// <summary>First wait between two tries of a launch; doubled after each.</summary>
    public TimeSpan LaunchRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How often pending pods are looked at again without any change (kube-scheduler re-marks them Unschedulable
    /// without a visible change; new capacity may have become available meanwhile).
    /// </summary>
    public TimeSpan ResyncInterval { get; set; } = TimeSpan.FromMinutes(1);
}
