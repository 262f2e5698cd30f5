using Microsoft.Extensions.Logging.Abstractions;

namespace Fleetman.PositionSimulator.Tests;

/// <summary>The original Fleetman's 38 tracks, read from <c>../shared/reference-tracks</c> beside the repository (never copied into it).</summary>
internal static class ReferenceTracks
{
    public static readonly string Folder = Path.GetFullPath(Path.Combine(Repository.Root, "..", "shared", "reference-tracks"));

    private static readonly Lazy<IReadOnlyList<Track>> All = new(() => TrackReader.ReadFolder(Folder, NullLogger.Instance));

    public static IReadOnlyList<Track> Tracks => All.Value;

    public static Track Named(string fileName) => Tracks.Single(t => t.FileName == fileName);
}
