using System.Text.Json.Serialization;

namespace Capstan.Extender.Wire;

/// <summary>Response of bind (<c>ExtenderBindingResult</c>): <c>{"Error": ""}</c> on success.</summary>
public sealed record ExtenderBindingResult
{
    public static readonly ExtenderBindingResult Ok = new();

    [JsonPropertyName("Error")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string Error { get; init; } = "";

    public static ExtenderBindingResult Failed(string error) => new() { Error = ExtenderError.Sanitize(error) };
}
