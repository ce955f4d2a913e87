using System.Buffers;
using System.Globalization;

namespace Capstan.Extender.Wire;

/// <summary>
/// Appends bytes that are already JSON (pre-escaped names, captured body ranges, constant punctuation) to an
/// <see cref="IBufferWriter{T}"/>, taking its memory in large chunks so that each append is a bounds check and
/// a copy. Call <see cref="Flush"/> at the end: only then is the last chunk committed.
/// </summary>
internal ref struct RawJsonOutput(IBufferWriter<byte> output)
{
    private const int ChunkSize = 16 * 1024;

    /// <summary>The longest <see cref="long"/> in decimal: <c>-9223372036854775808</c>.</summary>
    private const int MaxInt64Length = 20;

    private readonly IBufferWriter<byte> _output = output;
    private Span<byte> _span;
    private int _written;

    public void Write(ReadOnlySpan<byte> json)
    {
        if (json.Length > _span.Length - _written)
        {
            Refill(json.Length);
        }

        json.CopyTo(_span[_written..]);
        _written += json.Length;
    }

    public void Write(byte json)
    {
        if (_written == _span.Length)
        {
            Refill(1);
        }

        _span[_written++] = json;
    }

    public void Write(long number)
    {
        if (MaxInt64Length > _span.Length - _written)
        {
            Refill(MaxInt64Length);
        }

        number.TryFormat(_span[_written..], out var digits, provider: CultureInfo.InvariantCulture);
        _written += digits;
    }

    /// <summary>Commits what was written to the underlying writer.</summary>
    public void Flush()
    {
        if (_written > 0)
        {
            _output.Advance(_written);
        }

        _span = default;
        _written = 0;
    }

    private void Refill(int needed)
    {
        Flush();
        _span = _output.GetSpan(Math.Max(needed, ChunkSize));
    }
}
