namespace Fleetman.PositionSimulator.Routes;

/// <summary>A WGS84 position in degrees.</summary>
public readonly record struct GeoPoint(double Latitude, double Longitude);

/// <summary>
/// Equirectangular projection around an origin: metres east (x) and north (y). Within the tens of kilometres a route
/// spans, distances are within a fraction of a percent of the geodesic ones, and <see cref="ToGeo"/> inverts
/// <see cref="ToLocal"/> exactly, so a point interpolated on a projected segment lies on the straight line between the
/// two recorded positions.
/// </summary>
public readonly struct LocalProjection
{
    /// <summary>Mean Earth radius (IUGG).</summary>
    public const double EarthRadiusMetres = 6_371_008.8;

    private const double MetresPerDegreeLatitude = EarthRadiusMetres * Math.PI / 180;

    private readonly double _metresPerDegreeLongitude;

    public LocalProjection(GeoPoint origin)
    {
        Origin = origin;
        _metresPerDegreeLongitude = MetresPerDegreeLatitude * Math.Cos(origin.Latitude * Math.PI / 180);
    }

    public GeoPoint Origin { get; }

    public (double X, double Y) ToLocal(GeoPoint point) =>
        ((point.Longitude - Origin.Longitude) * _metresPerDegreeLongitude, (point.Latitude - Origin.Latitude) * MetresPerDegreeLatitude);

    public GeoPoint ToGeo(double x, double y) =>
        new(Origin.Latitude + (y / MetresPerDegreeLatitude), Origin.Longitude + (x / _metresPerDegreeLongitude));
}
