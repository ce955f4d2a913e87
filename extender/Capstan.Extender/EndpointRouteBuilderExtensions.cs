using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Capstan.Extender;

public static class EndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>POST filter</c>, <c>POST prioritize</c> and <c>POST bind</c> on the given builder; the host
    /// calls <c>app.MapGroup("/extender").MapCapstanExtender()</c>. The returned group carries the body size
    /// limit and, when a client CA is configured, the client-certificate check.
    /// </summary>
    public static RouteGroupBuilder MapCapstanExtender(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<ExtenderOptions>>().Value;
        var group = endpoints.MapGroup("");
        group.WithMetadata(new RequestSizeLimit(options.MaxRequestBodyBytes));
        group.AddEndpointFilter<ClientCertificateFilter>();
        group.MapPost(ExtenderEndpoints.FilterVerb, ExtenderEndpoints.FilterAsync).WithName("ExtenderFilter");
        group.MapPost(ExtenderEndpoints.PrioritizeVerb, ExtenderEndpoints.PrioritizeAsync).WithName("ExtenderPrioritize");
        group.MapPost(ExtenderEndpoints.BindVerb, ExtenderEndpoints.BindAsync).WithName("ExtenderBind");
        return group;
    }

    private sealed class RequestSizeLimit(long maxRequestBodySize) : IRequestSizeLimitMetadata
    {
        public long? MaxRequestBodySize { get; } = maxRequestBodySize;
    }
}
