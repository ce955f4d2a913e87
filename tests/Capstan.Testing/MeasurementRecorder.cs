using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Capstan.Testing;

/// <summary>
/// Records the measurements of one meter as created by one <see cref="IMeterFactory"/> (other tests' hosts run in
/// parallel in the same process and create meters of the same name).
/// </summary>
public sealed class MeasurementRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Instrument, long Value, KeyValuePair<string, object?>[] Tags)> _measurements = new();

    public MeasurementRecorder(string meterName, object scope)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == meterName && ReferenceEquals(instrument.Meter.Scope, scope))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => _measurements.Enqueue((instrument.Name, value, tags.ToArray())));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => _measurements.Enqueue((instrument.Name, value, tags.ToArray())));
        _listener.Start();
    }

    /// <summary>Reads the observable instruments now.</summary>
    public void Collect() => _listener.RecordObservableInstruments();

    public long Sum(string instrument, params (string Key, string Value)[] tags) =>
        Matching(instrument, tags).Sum(m => m.Value);

    /// <summary>The last value recorded (for observable gauges, after <see cref="Collect"/>); throws when there is none.</summary>
    public long Last(string instrument, params (string Key, string Value)[] tags) => Matching(instrument, tags).Last().Value;

    public void Dispose() => _listener.Dispose();

    private IEnumerable<(string Instrument, long Value, KeyValuePair<string, object?>[] Tags)> Matching(string instrument, (string Key, string Value)[] tags) =>
        _measurements.Where(m => m.Instrument == instrument && tags.All(t => m.Tags.Any(k => k.Key == t.Key && Equals(k.Value, t.Value))));
}
