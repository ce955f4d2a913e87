using System.Globalization;
using System.Text;
using System.Xml;

namespace Capstan.Sandbox.Aws;

/// <summary>
/// Writes Auto Scaling Query API responses as the service does: <c>&lt;{Action}Response&gt;</c> in the 2011-01-01
/// namespace around <c>&lt;{Action}Result&gt;</c> (when the operation has output) and <c>ResponseMetadata/RequestId</c>;
/// list members as <c>&lt;member&gt;</c>; element names are the service model's member names.
/// </summary>
public sealed class AutoScalingXml
{
    public const string Namespace = "http://autoscaling.amazonaws.com/doc/2011-01-01/";

    private readonly XmlWriter _writer;

    private AutoScalingXml(XmlWriter writer)
    {
        _writer = writer;
    }

    /// <summary>A response; <paramref name="result"/> null for an operation without output (SetDesiredCapacity).</summary>
    public static AwsReply Response(string action, Action<AutoScalingXml>? result)
    {
        var text = new StringBuilder();
        using (var writer = XmlWriter.Create(text, new XmlWriterSettings { Indent = false }))
        {
            writer.WriteStartDocument();
            writer.WriteStartElement(action + "Response", Namespace);
            if (result is not null)
            {
                writer.WriteStartElement(action + "Result", Namespace);
                result(new AutoScalingXml(writer));
                writer.WriteEndElement();
            }

            writer.WriteStartElement("ResponseMetadata", Namespace);
            writer.WriteElementString("RequestId", Namespace, Guid.NewGuid().ToString());
            writer.WriteEndElement();
            writer.WriteEndElement();
            writer.WriteEndDocument();
        }

        return AwsReply.Xml(text.ToString().Replace("encoding=\"utf-16\"", "encoding=\"UTF-8\"", StringComparison.Ordinal));
    }

    /// <summary><c>&lt;name&gt;value&lt;/name&gt;</c>; nothing when the value is null.</summary>
    public AutoScalingXml Value(string name, string? value)
    {
        if (value is not null)
        {
            _writer.WriteElementString(name, Namespace, value);
        }

        return this;
    }

    public AutoScalingXml Value(string name, long? value) => Value(name, value?.ToString(CultureInfo.InvariantCulture));

    public AutoScalingXml Value(string name, bool? value) => Value(name, value is null ? null : value.Value ? "true" : "false");

    /// <summary>A timestamp in ISO 8601 (<c>2026-12-01T10:00:00.000Z</c>).</summary>
    public AutoScalingXml Value(string name, DateTimeOffset? value) =>
        Value(name, value?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));

    public AutoScalingXml Struct(string name, Action<AutoScalingXml> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        _writer.WriteStartElement(name, Namespace);
        body(this);
        _writer.WriteEndElement();
        return this;
    }

    /// <summary>A list of structures, each a <c>&lt;member&gt;</c>.</summary>
    public AutoScalingXml List<T>(string name, IEnumerable<T> items, Action<AutoScalingXml, T> body)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(body);
        _writer.WriteStartElement(name, Namespace);
        foreach (var item in items)
        {
            _writer.WriteStartElement("member", Namespace);
            body(this, item);
            _writer.WriteEndElement();
        }

        _writer.WriteEndElement();
        return this;
    }

    /// <summary>A list of strings, each a <c>&lt;member&gt;</c>.</summary>
    public AutoScalingXml Values(string name, IEnumerable<string> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        _writer.WriteStartElement(name, Namespace);
        foreach (var item in items)
        {
            _writer.WriteElementString("member", Namespace, item);
        }

        _writer.WriteEndElement();
        return this;
    }
}
