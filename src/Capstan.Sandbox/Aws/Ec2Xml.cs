using System.Globalization;
using System.Text;
using System.Xml;

namespace Capstan.Sandbox.Aws;

/// <summary>
/// Writes EC2 Query API responses as EC2 does: the default namespace of API version 2016-11-15, <c>requestId</c>
/// first, list members as <c>&lt;item&gt;</c>. Element names are the service model's <c>locationName</c>s.
/// </summary>
public sealed class Ec2Xml
{
    public const string Namespace = "http://ec2.amazonaws.com/doc/2016-11-15/";

    private readonly XmlWriter _writer;

    private Ec2Xml(XmlWriter writer)
    {
        _writer = writer;
    }

    /// <summary>Builds <c>&lt;{action}Response&gt;</c> with a request id, then whatever <paramref name="body"/> writes.</summary>
    public static AwsReply Response(string action, Action<Ec2Xml> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var text = new StringBuilder();
        using (var writer = XmlWriter.Create(text, new XmlWriterSettings { Encoding = Encoding.UTF8, Indent = false }))
        {
            writer.WriteStartDocument();
            writer.WriteStartElement(action + "Response", Namespace);
            writer.WriteElementString("requestId", Namespace, Guid.NewGuid().ToString());
            body(new Ec2Xml(writer));
            writer.WriteEndElement();
            writer.WriteEndDocument();
        }

        return AwsReply.Xml(text.ToString().Replace("encoding=\"utf-16\"", "encoding=\"UTF-8\"", StringComparison.Ordinal));
    }

    /// <summary><c>&lt;name&gt;value&lt;/name&gt;</c>; nothing when the value is null.</summary>
    public Ec2Xml Value(string name, string? value)
    {
        if (value is not null)
        {
            _writer.WriteElementString(name, Namespace, value);
        }

        return this;
    }

    public Ec2Xml Value(string name, long? value) => Value(name, value?.ToString(CultureInfo.InvariantCulture));

    public Ec2Xml Value(string name, double? value) => Value(name, value?.ToString(CultureInfo.InvariantCulture));

    public Ec2Xml Value(string name, bool? value) => Value(name, value is null ? null : value.Value ? "true" : "false");

    /// <summary>A timestamp in EC2's ISO 8601 form (<c>2026-12-01T10:00:00.000Z</c>).</summary>
    public Ec2Xml Value(string name, DateTimeOffset? value) =>
        Value(name, value?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));

    /// <summary>A nested structure.</summary>
    public Ec2Xml Struct(string name, Action<Ec2Xml> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        _writer.WriteStartElement(name, Namespace);
        body(this);
        _writer.WriteEndElement();
        return this;
    }

    /// <summary>A list of structures, each in an <c>&lt;item&gt;</c> (or <paramref name="member"/>).</summary>
    public Ec2Xml List<T>(string name, IEnumerable<T> items, Action<Ec2Xml, T> body, string member = "item")
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(body);
        _writer.WriteStartElement(name, Namespace);
        foreach (var item in items)
        {
            _writer.WriteStartElement(member, Namespace);
            body(this, item);
            _writer.WriteEndElement();
        }

        _writer.WriteEndElement();
        return this;
    }

    /// <summary>A list of strings, each in an <c>&lt;item&gt;</c> (or <paramref name="member"/>).</summary>
    public Ec2Xml Values(string name, IEnumerable<string> items, string member = "item")
    {
        ArgumentNullException.ThrowIfNull(items);
        _writer.WriteStartElement(name, Namespace);
        foreach (var item in items)
        {
            _writer.WriteElementString(member, Namespace, item);
        }

        _writer.WriteEndElement();
        return this;
    }

    /// <summary><c>tagSet</c>: <c>&lt;item&gt;&lt;key/&gt;&lt;value/&gt;&lt;/item&gt;</c>.</summary>
    public Ec2Xml Tags(IReadOnlyDictionary<string, string> tags, string name = "tagSet") =>
        List(name, tags.OrderBy(t => t.Key, StringComparer.Ordinal), (x, t) => x.Value("key", t.Key).Value("value", t.Value));
}
