namespace Capstan.Host.Status;

/// <summary>
/// The last <c>capacity</c> items added, oldest dropped first; safe to add to from the logging pipeline while a request
/// reads. Keeps the status page's history at a fixed size however long the controller runs.
/// </summary>
public sealed class RingBuffer<T>
{
    private readonly T[] _items;
    private readonly Lock _gate = new();
    private int _next;
    private int _count;

    public RingBuffer(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _items = new T[capacity];
    }

    public int Capacity => _items.Length;

    public void Add(T item)
    {
        lock (_gate)
        {
            _items[_next] = item;
            _next = (_next + 1) % _items.Length;
            _count = Math.Min(_count + 1, _items.Length);
        }
    }

    /// <summary>The items kept, oldest first.</summary>
    public IReadOnlyList<T> Items()
    {
        lock (_gate)
        {
            var result = new T[_count];
            var start = (_next - _count + _items.Length) % _items.Length;
            for (var i = 0; i < _count; i++)
            {
                result[i] = _items[(start + i) % _items.Length];
            }

            return result;
        }
    }
}
