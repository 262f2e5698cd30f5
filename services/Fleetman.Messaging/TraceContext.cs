namespace Fleetman.Messaging;

/// <summary>W3C trace context in message headers (traceparent/tracestate), so one trace spans publisher and consumers.</summary>
internal static class TraceContext
{
    public static void Inject(Activity? activity, List<KeyValuePair<string, string>> headers)
    {
        if (activity is null)
        {
            return;
        }

        DistributedContextPropagator.Current.Inject(activity, headers, static (carrier, name, value) =>
        {
            if (carrier is List<KeyValuePair<string, string>> list && value is not null)
            {
                list.Add(new(name, value));
            }
        });
    }

    public static ActivityContext Extract(TransportMessage message)
    {
        DistributedContextPropagator.Current.ExtractTraceIdAndState(message, static (carrier, name, out value, out values) =>
        {
            values = null;
            value = (carrier as TransportMessage)?.Header(name);
        }, out var traceParent, out var traceState);

        return ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var context) ? context : default;
    }
}
