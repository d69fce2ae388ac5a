namespace DataExchange.Core.Audit;

/// <summary>
/// Who commits the audit writer's next group (issue 16): leader and followers, no writer thread. A member that finds no
/// group committing commits its own group at once, on its own caller's flow — no writer thread to wake, nor to wake it
/// back; members that arrive while a group commits wait, and when it is committed the first of them is handed all of
/// them (at most <see cref="MaxGroup"/>) to commit as the next group, before that group's other members are told. So a
/// lone append waits for no one, concurrent ones share a transaction, one group commits at a time (the writer's
/// connection and head pass from leader to leader under the lock), and groups commit in arrival order.
/// </summary>
sealed class AuditGroupTurns
{
    /// <summary>
    /// Most entries one group appends. While a group commits the next one gathers, so under load a group
    /// holds what arrived during one commit (tens at thousands of requests a second); 512 bounds the
    /// statement and the time a member waits behind others.
    /// </summary>
    public const int MaxGroup = 512;

    readonly Lock _gate = new();
    List<AuditWriter.Member> _pending = [];
    bool _committing;
    bool _disposed;
    TaskCompletionSource? _drained;

    /// <summary>
    /// Completes with <paramref name="member"/>'s position once its group is committed by <paramref name="commit"/> (which
    /// sets each member's position or failure and does not throw), leading the group itself when none is committing.
    /// </summary>
    public Task<long> Enqueue(AuditWriter.Member member, Func<List<AuditWriter.Member>, Task> commit)
    {
        bool leads;
        lock (_gate)
        {
            if (_disposed) throw new ObjectDisposedException(nameof(AuditWriter));
            leads = !_committing;
            if (leads) _committing = true;
            else _pending.Add(member);
        }
        return AwaitAsync(member, leads, commit);
    }

    async Task<long> AwaitAsync(AuditWriter.Member member, bool leads, Func<List<AuditWriter.Member>, Task> commit)
    {
        var group = leads ? [member] : await member.Turn.Task;
        if (group is not null) await LeadAsync(group, commit);
        if (member.Failure is { } failure) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        return member.Position;
    }

    /// <summary>Commits <paramref name="group"/> (its first member the leader), then hands the next group on and tells the others.</summary>
    async Task LeadAsync(List<AuditWriter.Member> group, Func<List<AuditWriter.Member>, Task> commit)
    {
        await commit(group);
        List<AuditWriter.Member>? next;
        TaskCompletionSource? drained = null;
        lock (_gate)
        {
            if (_pending.Count == 0)
            {
                (_committing, next, drained) = (false, null, _drained);
            }
            else if (_pending.Count <= MaxGroup)
            {
                (next, _pending) = (_pending, []);
            }
            else
            {
                next = _pending[..MaxGroup];
                _pending.RemoveRange(0, MaxGroup);
            }
        }
        next?[0].Turn.TrySetResult(next);
        for (var i = 1; i < group.Count; i++) group[i].Turn.TrySetResult(null);
        drained?.TrySetResult();
    }

    /// <summary>Refuses new members; completes once the group under way and those queued behind it are committed.</summary>
    public Task DrainAsync()
    {
        lock (_gate)
        {
            _disposed = true;
            return _committing ? (_drained ??= new(TaskCreationOptions.RunContinuationsAsynchronously)).Task : Task.CompletedTask;
        }
    }
}
