using System.Diagnostics.Metrics;

namespace Fleetman.ServiceDefaults;

/// <summary>Counters whose series exist before their first event.</summary>
public static class CountersFromZero
{
    /// <summary>
    /// A counter exported at zero from the start, so that dashboards and alert rules (<c>rate</c>, <c>increase</c>) see
    /// its series before anything has happened instead of no data: for counters of rare events (failures, drops,
    /// fallbacks) that a rule or a panel reads.
    /// </summary>
    public static Counter<long> CreateCounterFromZero(this Meter meter, string name, string unit, string description)
    {
        ArgumentNullException.ThrowIfNull(meter);
        var counter = meter.CreateCounter<long>(name, unit, description);
        counter.Add(0);
        return counter;
    }
}
