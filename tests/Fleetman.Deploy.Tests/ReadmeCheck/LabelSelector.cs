namespace Fleetman.Deploy.Tests;

/// <summary>Kubernetes label selectors, as kubectl's -l takes them.</summary>
public static partial class LabelSelector
{
    /// <summary>A label selector's requirements: key=value, key==value, key!=value, key, !key, key in (a,b), key notin (a,b).</summary>
    public static IReadOnlyList<Func<IDictionary<string, string>, bool>> Requirements(string selector)
    {
        var requirements = new List<Func<IDictionary<string, string>, bool>>();
        foreach (Match match in SelectorPart().Matches(selector))
        {
            var part = match.Value.Trim();
            var set = SetRequirement().Match(part);
            if (set.Success)
            {
                var key = set.Groups[1].Value;
                var values = set.Groups[3].Value.Split(',').Select(value => value.Trim()).ToHashSet();
                var notIn = set.Groups[2].Value == "notin";
                requirements.Add(labels => labels.TryGetValue(key, out var value) ? values.Contains(value) != notIn : notIn);
            }
            else if (part.Contains("!=", StringComparison.Ordinal))
            {
                var (key, value) = (part[..part.IndexOf("!=", StringComparison.Ordinal)], part[(part.IndexOf("!=", StringComparison.Ordinal) + 2)..]);
                requirements.Add(labels => labels.Label(key) != value);
            }
            else if (part.Contains('=', StringComparison.Ordinal))
            {
                var key = part[..part.IndexOf('=', StringComparison.Ordinal)];
                var value = part[(part.LastIndexOf('=') + 1)..];
                requirements.Add(labels => labels.TryGetValue(key, out var actual) && actual == value);
            }
            else if (part.StartsWith('!'))
            {
                requirements.Add(labels => !labels.ContainsKey(part[1..]));
            }
            else
            {
                requirements.Add(labels => labels.ContainsKey(part));
            }
        }

        return requirements.Count > 0 ? requirements : throw new InvalidDataException($"an empty label selector '{selector}'");
    }

    [GeneratedRegex(@"([^,(]+(\([^)]*\))?)")]
    private static partial Regex SelectorPart();

    [GeneratedRegex(@"^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$")]
    private static partial Regex SetRequirement();
}
