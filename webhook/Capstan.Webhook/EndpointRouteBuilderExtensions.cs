using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace Capstan.Webhook;

public static class EndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>POST mutate</c>, <c>POST validate</c> and <c>POST validate/pods</c> under the given builder (the host
    /// uses <c>/webhook</c>). Bodies are limited to <see cref="AdmissionEndpoints.MaxBodyBytes"/>.
    /// </summary>
    public static RouteGroupBuilder MapCapstanWebhook(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup("");
        group.MapPost("/mutate", AdmissionEndpoints.MutateAsync).WithName("webhook-mutate");
        group.MapPost("/validate", AdmissionEndpoints.ValidateAsync).WithName("webhook-validate");
        group.MapPost("/validate/pods", AdmissionEndpoints.ValidatePodsAsync).WithName("webhook-validate-pods");
        group.WithMetadata(new RequestSizeLimit(AdmissionEndpoints.MaxBodyBytes + 1));
        return group;
    }

    private sealed class RequestSizeLimit(long maxRequestBodySize) : Microsoft.AspNetCore.Http.Metadata.IRequestSizeLimitMetadata
    {
        public long? MaxRequestBodySize { get; } = maxRequestBodySize;
    }
}
