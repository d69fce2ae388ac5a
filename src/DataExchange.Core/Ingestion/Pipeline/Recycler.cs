using System.Collections.Concurrent;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// Objects handed from one stage of the pipeline to the next and back, cleared, for reuse. A batch's list of 2,000
/// records is about 96 KB, over the large object heap's threshold: one new list per batch and per result churned
/// that heap into a gen2 collection every few batches (issue 14). Holds no more than is in flight at once.
/// </summary>
internal sealed class Recycler<T>(Func<T> create, Action<T> clear) where T : class
{
    readonly ConcurrentQueue<T> _items = new();

    /// <summary>A cleared object: a returned one, or a new one.</summary>
    public T Take() => _items.TryDequeue(out var item) ? item : create();

    /// <summary>Clears <paramref name="item"/> and keeps it for the next <see cref="Take"/>.</summary>
    public void Return(T item)
    {
        clear(item);
        _items.Enqueue(item);
    }
}
