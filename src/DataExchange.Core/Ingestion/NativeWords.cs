using System.Runtime.InteropServices;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// Zeroed 64-bit words outside the GC heap, for the run's filters (<see cref="PublishedHashes"/>, <see cref="RowHashFilter"/>):
/// as large arrays they were freed only by a full collection and fragmented the large object heap (issue 14, flat memory).
/// Freed once, by <see cref="Dispose"/> or else by the finalizer (a filter nobody disposed: a test, a run that failed early).
/// </summary>
internal sealed unsafe class NativeWords : IDisposable
{
    ulong* _words;

    /// <summary><paramref name="count"/> zeroed words.</summary>
    public NativeWords(nuint count) => _words = (ulong*)NativeMemory.AllocZeroed(count, sizeof(ulong));

    /// <summary>The words; throws once freed, naming <paramref name="owner"/>.</summary>
    public ulong* Get(string owner) => _words is not null ? _words : throw new ObjectDisposedException(owner);

    /// <summary>Frees the words.</summary>
    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    ~NativeWords() => Free();

    void Free()
    {
        var words = _words;
        _words = null;
        if (words is not null) NativeMemory.Free(words);
    }
}
