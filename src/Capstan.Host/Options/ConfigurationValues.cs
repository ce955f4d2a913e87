using System.ComponentModel;
using System.Globalization;
using System.Text.RegularExpressions;
using Capstan.Core.Text;

namespace Capstan.Host.Options;

/// <summary>
/// How configuration values are read and what a user is told when one cannot be: durations may be written as .NET
/// writes them (<c>00:10:00</c>) or as Kubernetes and Cluster Autoscaler write them (<c>10m</c>, <c>1h30m</c>, <c>500ms</c>);
/// a value the binder cannot convert is said in words with its key, not as a stack trace.
/// </summary>
internal static partial class ConfigurationValues
{
    private static int s_registered;

    /// <summary>Makes every TimeSpan setting accept Go durations too (once per process).</summary>
    public static void Register()
    {
        if (Interlocked.Exchange(ref s_registered, 1) == 0)
        {
            TypeDescriptor.AddAttributes(typeof(TimeSpan), new TypeConverterAttribute(typeof(DurationConverter)));
        }
    }

    /// <summary>The binder's conversion failure in words, or null when the exception is something else.</summary>
    public static string? Describe(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is InvalidOperationException && ConversionFailure().Match(e.Message) is { Success: true } match)
            {
                var expected = match.Groups["type"].Value switch
                {
                    "System.TimeSpan" => "a duration such as 00:10:00 or 10m",
                    "System.Int32" or "System.Int64" => "a whole number",
                    "System.Double" or "System.Decimal" => "a number",
                    "System.Boolean" => "true or false",
                    "System.Uri" => "a URL",
                    _ => "a value of the right kind (see the README's configuration table)",
                };
                return $"{match.Groups["key"].Value}: \"{match.Groups["value"].Value}\" is not {expected}";
            }
        }

        return null;
    }

    [GeneratedRegex("^Failed to convert configuration value '(?<value>.*)' at '(?<key>[^']*)' to type '(?<type>[^']*)'", RegexOptions.Singleline)]
    private static partial Regex ConversionFailure();

    /// <summary>TimeSpan's own converter, with Go durations first.</summary>
    private sealed class DurationConverter : TimeSpanConverter
    {
        public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) =>
            value is string text && text.Length > 0 && char.IsAsciiLetter(text[^1]) && GoDuration.TryParse(text.Trim(), out var duration)
                ? duration
                : base.ConvertFrom(context, culture, value);
    }
}
