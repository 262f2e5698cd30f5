using System.Runtime.InteropServices;

namespace Fleetman.ApiGateway.Live;

/// <summary>
/// What one hub connection has yet to be sent, bounded however slow the browser reads:
/// <list type="bullet">
/// <item>a vehicle the connection does not follow has one slot holding its newest position (a newer one replaces it),
/// so at most <c>maxBufferedVehicles</c> positions wait; positions of further vehicles are dropped until the next frame;</item>
/// <item>every point of a followed vehicle waits in arrival order (a late point after the newer ones it missed), at
/// most <c>followBacklog</c> of them; past that the oldest go.</item>
/// </list>
/// A frame carries the followed points first (oldest first), then one position per other vehicle; after them the
/// vehicles that left the fleet, then the fleet events announced since the last frame (at most
/// <see cref="MaxWaitingEvents"/> wait; past that the oldest go: they are stored, and a reload reads them).
/// Thread-safe: updates arrive on the consumer's thread, frames are taken by the connection's push loop.
/// </summary>
public sealed class ConnectionBuffer(int maxBufferedVehicles, int maxFollowedVehicles, int followBacklog)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Pending> _newest = new(StringComparer.Ordinal);
    private readonly Queue<Pending> _followedPoints = new();
    private readonly HashSet<string> _followed = new(StringComparer.Ordinal);
    private readonly HashSet<string> _removed = new(StringComparer.Ordinal);
    private readonly List<FleetEventResponse> _events = [];

    /// <summary>How many fleet events may wait for a connection that does not read.</summary>
    public const int MaxWaitingEvents = 1_000;

    /// <summary>
    /// Positions ready to push, and when the oldest update among them was stored (for the push-lag metric); then the
    /// vehicles that left the fleet, to be sent after the positions; then the fleet events, oldest first.
    /// </summary>
    public sealed record Frame(LivePosition[] Positions, DateTimeOffset OldestStoredAt, string[] Removed, FleetEventResponse[] Events);

    /// <summary>What <see cref="Offer"/> did.</summary>
    /// <param name="FollowedQueued">A point of a followed vehicle is waiting: push it now rather than at the next interval.</param>
    /// <param name="DroppedBufferFull">Positions of vehicles that found no free slot.</param>
    /// <param name="DroppedFollowBacklog">Older followed points dropped for newer ones.</param>
    public readonly record struct OfferResult(bool FollowedQueued, int DroppedBufferFull, int DroppedFollowBacklog);

    public int Waiting
    {
        get
        {
            lock (_lock)
            {
                return _newest.Count + _followedPoints.Count;
            }
        }
    }

    /// <summary>Whether any vehicle is followed here (its points go out at once, not with the shared frames).</summary>
    public bool FollowsAny
    {
        get
        {
            lock (_lock)
            {
                return _followed.Count > 0;
            }
        }
    }

    /// <summary>
    /// A frame taken here that could not go out (its connection was still writing the one before) waits again, under
    /// whatever arrives later: its positions as if they had just been offered (a newer one waiting already wins), then
    /// its removals and events.
    /// </summary>
    public void Requeue(Frame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        Offer(frame.Positions, frame.OldestStoredAt);
        if (frame.Removed.Length > 0)
        {
            Remove(frame.Removed);
        }

        Announce(frame.Events);
    }

    /// <summary>
    /// Everything waiting here also waits in <paramref name="target"/>, each position with its own storing time (a
    /// connection leaving the shared frames takes what the next one would have brought it).
    /// </summary>
    public void CopyTo(ConnectionBuffer target)
    {
        ArgumentNullException.ThrowIfNull(target);
        lock (_lock)
        {
            foreach (var waiting in _newest.Values)
            {
                target.Offer([waiting.Position], waiting.StoredAt);
            }

            if (_removed.Count > 0)
            {
                target.Remove([.. _removed]);
            }

            target.Announce(_events);
        }
    }

    /// <summary>
    /// Takes in the positions of one update: <paramref name="positions"/> are newer than any passed on for their
    /// vehicles; <paramref name="late"/> ones (oldest first) are older than a position of their vehicle that was or is
    /// being passed on, and only matter to a vehicle followed here (points of its trail), never to a coalesced slot
    /// (that would move its marker back).
    /// </summary>
    public OfferResult Offer(IReadOnlyList<LivePosition> positions, DateTimeOffset storedAt, IReadOnlyList<LivePosition>? late = null)
    {
        ArgumentNullException.ThrowIfNull(positions);
        bool followedQueued = false;
        int bufferFull = 0, backlogFull = 0;
        lock (_lock)
        {
            // Most connections follow nothing: then the trail points are not even looked at.
            if (_followed.Count > 0)
            {
                foreach (var position in late ?? [])
                {
                    if (_followed.Contains(position.Name))
                    {
                        QueueFollowed(position);
                    }
                }
            }

            // Every connection takes every position of every update: one lookup of the vehicle's slot each, and the
            // sets that are nearly always empty are not asked.
            var anyRemoved = _removed.Count > 0;
            var anyFollowed = _followed.Count > 0;
            foreach (var position in positions)
            {
                if (anyRemoved)
                {
                    // Back in the fleet before its removal went out: the removal is void.
                    _removed.Remove(position.Name);
                }

                if (anyFollowed && _followed.Contains(position.Name))
                {
                    QueueFollowed(position);
                    continue;
                }

                ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_newest, position.Name, out var waiting);
                if (!waiting)
                {
                    if (_newest.Count <= maxBufferedVehicles)
                    {
                        slot = new(position, storedAt);
                    }
                    else
                    {
                        _newest.Remove(position.Name); // no free slot: the slot just added goes again
                        bufferFull++;
                    }
                }
                else if (position.Time > slot.Position.Time)
                {
                    slot = new(position, storedAt);
                }
            }
        }

        return new(followedQueued, bufferFull, backlogFull);

        void QueueFollowed(LivePosition position)
        {
            if (_followedPoints.Count >= followBacklog)
            {
                _followedPoints.Dequeue();
                backlogFull++;
            }

            _followedPoints.Enqueue(new(position, storedAt));
            followedQueued = true;
        }
    }

    /// <summary>
    /// Forgets waiting positions that are not newer than the snapshot the connection was just sent: they arrived
    /// while it was read, and sending them would move a vehicle back.
    /// </summary>
    public void DropNotNewerThan(IEnumerable<LivePosition> snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        lock (_lock)
        {
            foreach (var position in snapshot)
            {
                if (_newest.TryGetValue(position.Name, out var waiting) && waiting.Position.Time <= position.Time)
                {
                    _newest.Remove(position.Name);
                }
            }
        }
    }

    /// <summary>
    /// Forgets everything waiting for vehicles that left the fleet and stops following them (a vehicle that comes back
    /// is followed again when the browser asks); the next frame tells the browser, after any positions taken before.
    /// </summary>
    public void Remove(IReadOnlyCollection<string> vehicles)
    {
        ArgumentNullException.ThrowIfNull(vehicles);
        lock (_lock)
        {
            var gone = vehicles as IReadOnlySet<string> ?? new HashSet<string>(vehicles, StringComparer.Ordinal);
            foreach (var vehicle in gone)
            {
                _newest.Remove(vehicle);
                _followed.Remove(vehicle);
                _removed.Add(vehicle);
            }

            if (_followedPoints.Any(point => gone.Contains(point.Position.Name)))
            {
                var kept = _followedPoints.Where(point => !gone.Contains(point.Position.Name)).ToList();
                _followedPoints.Clear();
                kept.ForEach(_followedPoints.Enqueue);
            }
        }
    }

    /// <summary>
    /// Fleet events for the next frame, after the ones already waiting; returns how many of the oldest were dropped to
    /// keep at most <see cref="MaxWaitingEvents"/>.
    /// </summary>
    public int Announce(IReadOnlyCollection<FleetEventResponse> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        lock (_lock)
        {
            _events.AddRange(events);
            var over = _events.Count - MaxWaitingEvents;
            if (over <= 0)
            {
                return 0;
            }

            _events.RemoveRange(0, over);
            return over;
        }
    }

    /// <summary>Every point of <paramref name="vehicle"/> from now on; false when the connection already follows the most it may.</summary>
    public bool Follow(string vehicle)
    {
        lock (_lock)
        {
            if (!_followed.Contains(vehicle) && _followed.Count >= maxFollowedVehicles)
            {
                return false;
            }

            _followed.Add(vehicle);
            // A position already waiting goes out first, in order with the points that follow it.
            if (_newest.Remove(vehicle, out var waiting))
            {
                _followedPoints.Enqueue(waiting);
            }

            return true;
        }
    }

    /// <summary>Back to one position per interval; points already waiting still go out.</summary>
    public void Unfollow(string vehicle)
    {
        lock (_lock)
        {
            _followed.Remove(vehicle);
        }
    }

    /// <summary>The waiting points of followed vehicles, the removals and the events, or null when there are none.</summary>
    public Frame? TakeFollowed() => Take(includeCoalesced: false);

    /// <summary>Everything waiting, or null when nothing is.</summary>
    public Frame? TakeAll() => Take(includeCoalesced: true);

    private Frame? Take(bool includeCoalesced)
    {
        lock (_lock)
        {
            var count = _followedPoints.Count + (includeCoalesced ? _newest.Count : 0);
            if (count == 0 && _removed.Count == 0 && _events.Count == 0)
            {
                return null;
            }

            var positions = new LivePosition[count];
            var oldest = DateTimeOffset.MaxValue;
            var i = 0;
            while (_followedPoints.TryDequeue(out var point))
            {
                positions[i++] = point.Position;
                oldest = point.StoredAt < oldest ? point.StoredAt : oldest;
            }

            if (includeCoalesced)
            {
                foreach (var waiting in _newest.Values)
                {
                    positions[i++] = waiting.Position;
                    oldest = waiting.StoredAt < oldest ? waiting.StoredAt : oldest;
                }

                _newest.Clear();
            }

            string[] removed = [.. _removed];
            _removed.Clear();
            FleetEventResponse[] events = [.. _events];
            _events.Clear();
            return new Frame(positions, oldest, removed, events);
        }
    }

    private readonly record struct Pending(LivePosition Position, DateTimeOffset StoredAt);
}
