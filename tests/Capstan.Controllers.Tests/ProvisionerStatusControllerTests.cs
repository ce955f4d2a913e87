using Capstan.Controllers.Provisioning;
using Capstan.Core.Resources;
using Capstan.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capstan.Controllers.Tests;

public sealed class ProvisionerStatusControllerTests
{
    [Fact]
    public async Task Status_IsTheCapacityOfTheProvisionersNodes_AndMetricsFollow()
    {
        using var h = new ControllerHarness();
        h.AddProvisioner(limits: ResourceList.Of("cpu", "100"));
        h.AddUnschedulable("inflate", 3);
        await h.PassAsync();
        var status = new ProvisionerStatusController(h.Cluster, h.Cluster, h.Metrics, h.Time, NullLogger<ProvisionerStatusController>.Instance);

        await status.UpdateAsync(CancellationToken.None);

        var node = Assert.Single(h.CapstanNodes());
        Assert.Equal(node.Capacity, h.Cluster.ProvisionerStatus("default"));

        h.AddUnschedulable("more", 8);
        await h.PassAsync();
        await status.UpdateAsync(CancellationToken.None);

        Assert.Equal(SumOfCapacity(h), h.Cluster.ProvisionerStatus("default"));
        Assert.NotEqual(node.Capacity, h.Cluster.ProvisionerStatus("default"));
    }

    [Fact]
    public async Task Launches_AreCounted_ByProvisionerTypeZoneAndCapacityType()
    {
        using var h = new ControllerHarness();
        using var recorder = new MeasurementRecorder(ProvisioningMetrics.MeterName, h.MeterFactory);
        h.AddProvisioner();
        h.AddUnschedulable("inflate", 10);

        await h.PassAsync();

        var instances = h.Cloud.Instances;
        Assert.Equal(instances.Count, recorder.Sum("nodes.launched.total", ("provisioner", "default"), ("capacity_type", "on-demand")));
        Assert.Equal(10, recorder.Sum("pods.bound.total"));
        Assert.Equal(
            instances.Count(i => i.InstanceType == instances[0].InstanceType && i.Zone == instances[0].Zone),
            recorder.Sum("nodes.launched.total", ("instance_type", instances[0].InstanceType), ("zone", instances[0].Zone)));
    }

    private static ResourceList SumOfCapacity(ControllerHarness h) =>
        h.CapstanNodes().Aggregate(ResourceList.Empty, (sum, n) => sum.Add(n.Capacity));
}
