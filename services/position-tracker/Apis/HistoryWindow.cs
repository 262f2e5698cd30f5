namespace Fleetman.PositionTracker.Apis;

/// <summary>
/// The query of a history route, <c>from</c>, <c>to</c> (ISO-8601) and <c>limit</c>, checked: each bad parameter is
/// named in a validation problem, and a limit above <see cref="TrackerOptions.MaxHistoryLimit"/> is lowered to it.
/// </summary>
internal sealed record HistoryWindow(DateTimeOffset? Since, DateTimeOffset? Until, int Limit)
{
    public static HistoryWindow Parse(string? from, string? to, string? limit, TrackerOptions options, bool boundsRequired, Dictionary<string, string[]> errors)
    {
        var since = ParseTime(from, nameof(from), boundsRequired, errors);
        var until = ParseTime(to, nameof(to), boundsRequired, errors);
        var count = options.DefaultHistoryLimit;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count < 1))
        {
            errors[nameof(limit)] = [$"limit must be a whole number of at least 1 (at most {options.MaxHistoryLimit} are returned)."];
        }

        if (since > until)
        {
            errors[nameof(from)] = ["from must not be after to."];
        }

        return new(since, until, Math.Clamp(count, 1, options.MaxHistoryLimit));
    }

    private static DateTimeOffset? ParseTime(string? value, string parameter, bool required, Dictionary<string, string[]> errors)
    {
        if (value is null)
        {
            if (required)
            {
                errors[parameter] = [$"{parameter} is required, an ISO-8601 date-time, e.g. 2026-11-22T12:00:00Z."];
            }

            return null;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return time;
        }

        errors[parameter] = [$"{parameter} '{value}' is not an ISO-8601 date-time, e.g. 2026-11-22T12:00:00Z."];
        return null;
    }
}
