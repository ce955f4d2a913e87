using Capstan.Extender.Wire;
using Microsoft.AspNetCore.Http;

namespace Capstan.Extender;

/// <summary>A JSON answer already written into pooled memory: sent with its Content-Length, then the memory is returned.</summary>
internal sealed class PooledJsonResult(PooledBufferWriter json, int statusCode) : IResult, IStatusCodeHttpResult, IContentTypeHttpResult
{
    public const string JsonContentType = "application/json";

    public int? StatusCode => statusCode;

    public string ContentType => JsonContentType;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        try
        {
            var response = httpContext.Response;
            response.StatusCode = statusCode;
            response.ContentType = JsonContentType;
            response.ContentLength = json.WrittenMemory.Length;
            await response.BodyWriter.WriteAsync(json.WrittenMemory, httpContext.RequestAborted);
        }
        finally
        {
            json.Dispose();
        }
    }
}
