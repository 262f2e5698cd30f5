namespace Fleetman.LoadGenerator.Tests.Unit;

/// <summary>The latency recorder that every virtual user and hub connection records into at once.</summary>
public sealed class LatencyRecorderTests
{
    [Fact]
    public void Durations_recorded_from_many_threads_at_once_are_all_counted_and_can_be_read_while_recording_goes_on()
    {
        // Users on many threads record into one recorder while the reporting loop takes intervals; a histogram that
        // loses a concurrent increment counts fewer values than its total says, and reading its maximum then failed
        // (the load generator's progress line threw mid-run). Lost increments need two threads writing at the same
        // moment, so the rounds give them many chances.
        const int Rounds = 10;
        const int Threads = 4;
        const int PerThread = 250_000;
        var recorder = new LatencyRecorder();
        long taken = 0;
        for (var round = 0; round < Rounds; round++)
        {
            using var start = new Barrier(Threads + 1);
            var writers = Enumerable.Range(0, Threads).Select(t => Task.Factory.StartNew(() =>
            {
                start.SignalAndWait();
                for (var i = 0; i < PerThread; i++)
                {
                    recorder.Record(1 + ((i + t) % 50));
                }
            }, TaskCreationOptions.LongRunning)).ToArray();

            start.SignalAndWait();
            while (!Task.WhenAll(writers).IsCompleted)
            {
                var interval = recorder.TakeInterval();
                taken += interval.TotalCount;
                _ = LatencyFigures.From(interval);
            }
        }

        taken += recorder.TakeInterval().TotalCount;
        var total = LatencyFigures.From(recorder.Total);

        Assert.Equal((long)Rounds * Threads * PerThread, taken);
        Assert.Equal((long)Rounds * Threads * PerThread, total.Count);
        Assert.Equal(50, total.Max, 0.1);
    }
}
