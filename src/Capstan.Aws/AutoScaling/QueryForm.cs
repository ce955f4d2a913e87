using System.Globalization;
using System.Text;

namespace Capstan.Aws.AutoScaling;

/// <summary>
/// The Query protocol's form body: <c>Action=...&amp;Version=...</c>, then each parameter percent-encoded as RFC 3986
/// says, lists as <c>Name.member.1</c> and structures in lists as <c>Filters.member.1.Values.member.1</c>.
/// </summary>
internal sealed class QueryForm
{
    private readonly List<KeyValuePair<string, string>> _pairs = [];

    public QueryForm(string action, string version)
    {
        Add("Action", action);
        Add("Version", version);
    }

    public IReadOnlyList<KeyValuePair<string, string>> Pairs => _pairs;

    public QueryForm Add(string name, string? value)
    {
        if (value is not null)
        {
            _pairs.Add(new(name, value));
        }

        return this;
    }

    public QueryForm Add(string name, int? value) => Add(name, value?.ToString(CultureInfo.InvariantCulture));

    public QueryForm Add(string name, bool? value) => Add(name, value is null ? null : value.Value ? "true" : "false");

    /// <summary><c>name.member.1</c>, <c>name.member.2</c>, ...</summary>
    public QueryForm Members(string name, IReadOnlyList<string> values)
    {
        for (var i = 0; i < values.Count; i++)
        {
            Add(Member(name, i), values[i]);
        }

        return this;
    }

    /// <summary>A list of structures: <paramref name="write"/> adds each one's members under <c>name.member.N</c>.</summary>
    public QueryForm Members<T>(string name, IReadOnlyList<T> items, Action<QueryForm, string, T> write)
    {
        for (var i = 0; i < items.Count; i++)
        {
            write(this, Member(name, i), items[i]);
        }

        return this;
    }

    public byte[] ToBytes()
    {
        var text = new StringBuilder();
        foreach (var (name, value) in _pairs)
        {
            if (text.Length > 0)
            {
                text.Append('&');
            }

            text.Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static string Member(string name, int index) => name + ".member." + (index + 1).ToString(CultureInfo.InvariantCulture);
}
