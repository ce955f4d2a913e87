using System.Net;
using Capstan.Sandbox.Aws;

namespace Capstan.Aws.Tests.AutoScaling;

/// <summary>
/// EC2 for the node-group tests: <c>DescribeLaunchTemplateVersions</c> answered here from the versions given (each
/// with its instance type and market), everything else by the sandbox's <see cref="Ec2StandIn"/>.
/// </summary>
public sealed class Ec2WithLaunchTemplateVersions(Ec2StandIn inner) : IAwsService
{
    private readonly Dictionary<(string Id, string Version), (string? InstanceType, string? Market)> _versions = [];
    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public string Name => "ec2";

    /// <summary>Adds a version of a template; <paramref name="isDefault"/> and <paramref name="isLatest"/> make it <c>$Default</c> / <c>$Latest</c> too.</summary>
    public Ec2WithLaunchTemplateVersions Version(string id, string name, int number, string? instanceType, bool isDefault = false, bool isLatest = false, string? market = null)
    {
        lock (_gate)
        {
            _names[name] = id;
            var text = number.ToString(System.Globalization.CultureInfo.InvariantCulture);
            _versions[(id, text)] = (instanceType, market);
            if (isDefault)
            {
                _versions[(id, "$Default")] = (instanceType, market);
            }

            if (isLatest)
            {
                _versions[(id, "$Latest")] = (instanceType, market);
            }
        }

        return this;
    }

    public ValueTask<AwsReply> HandleAsync(AwsCall request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Action != "DescribeLaunchTemplateVersions")
        {
            return inner.HandleAsync(request, cancellationToken);
        }

        lock (_gate)
        {
            var id = request.Get("LaunchTemplateId") ?? (request.Get("LaunchTemplateName") is { } n && _names.TryGetValue(n, out var byName) ? byName : null);
            if (id is null || !_versions.Keys.Any(k => k.Id == id))
            {
                return ValueTask.FromResult(AwsReply.Ec2Error(HttpStatusCode.BadRequest, "InvalidLaunchTemplateId.NotFound",
                    $"The specified launch template, with template ID {request.Get("LaunchTemplateId") ?? request.Get("LaunchTemplateName")}, does not exist."));
            }

            var versions = request.List("LaunchTemplateVersion");
            var found = versions.Where(v => _versions.ContainsKey((id, v))).Select(v => (Version: v, Data: _versions[(id, v)])).ToList();
            var name = _names.First(p => p.Value == id).Key;
            return ValueTask.FromResult(Ec2Xml.Response("DescribeLaunchTemplateVersions", x => x.List("launchTemplateVersionSet", found, (item, v) =>
            {
                item.Value("launchTemplateId", id).Value("launchTemplateName", name).Value("versionNumber", v.Version.StartsWith('$') ? "1" : v.Version)
                    .Value("defaultVersion", v.Version == "$Default")
                    .Struct("launchTemplateData", data =>
                    {
                        data.Value("instanceType", v.Data.InstanceType);
                        if (v.Data.Market is { } market)
                        {
                            data.Struct("instanceMarketOptions", m => m.Value("marketType", market));
                        }
                    });
            })));
        }
    }
}
