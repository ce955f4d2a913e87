using Microsoft.Extensions.Options;

namespace Capstan.Host.Options;

/// <summary>Checks the listen address and limits.</summary>
public sealed class ServerOptionsValidator : IValidateOptions<ServerOptions>
{
    public ValidateOptionsResult Validate(string? name, ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!ListenAddress.TryParse(options.Listen, out _, out var error))
        {
            failures.Add($"{ServerOptions.SectionName}:Listen (--listen) {error}");
        }

        if (options.MaxRequestBodyBytes < 64 * 1024)
        {
            failures.Add($"{ServerOptions.SectionName}:MaxRequestBodyBytes must be at least 65536 (got {options.MaxRequestBodyBytes})");
        }

        if (options.Mode is not ("serve" or "sandbox"))
        {
            failures.Add($"{ServerOptions.SectionName}:Mode must be serve or sandbox (got \"{options.Mode}\")");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
