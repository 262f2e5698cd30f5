namespace Fleetman.QueueConsumer;

/// <summary>
/// Distances and bearings on the WGS84 ellipsoid (Vincenty's inverse formula), as the original Fleetman computed
/// speeds, so its unit tests port unchanged. Accurate to well under a millimetre for the distances vehicles cover
/// between two reports.
/// </summary>
public static class Geodesy
{
    private const double A = 6_378_137.0;             // WGS84 semi-major axis, metres
    private const double F = 1 / 298.257223563;        // WGS84 flattening
    private const double B = A * (1 - F);              // semi-minor axis
    private const double MetresPerSecondToMph = 2.236936;

    /// <summary>Ellipsoidal distance in metres and the initial bearing in degrees (0–360, clockwise from north).</summary>
    public static (double Metres, double Bearing) Inverse(double lat1, double lon1, double lat2, double lon2)
    {
        if (lat1 == lat2 && lon1 == lon2)
        {
            return (0, 0);
        }

        var l = ToRadians(lon2 - lon1);
        var u1 = Math.Atan((1 - F) * Math.Tan(ToRadians(lat1)));
        var u2 = Math.Atan((1 - F) * Math.Tan(ToRadians(lat2)));
        var (sinU1, cosU1) = Math.SinCos(u1);
        var (sinU2, cosU2) = Math.SinCos(u2);

        double lambda = l, sinSigma, cosSigma, sigma, cosSqAlpha, cos2SigmaM, sinLambda, cosLambda;
        for (var iteration = 0; ; iteration++)
        {
            (sinLambda, cosLambda) = Math.SinCos(lambda);
            sinSigma = Math.Sqrt(Math.Pow(cosU2 * sinLambda, 2) + Math.Pow((cosU1 * sinU2) - (sinU1 * cosU2 * cosLambda), 2));
            cosSigma = (sinU1 * sinU2) + (cosU1 * cosU2 * cosLambda);
            sigma = Math.Atan2(sinSigma, cosSigma);
            var sinAlpha = cosU1 * cosU2 * sinLambda / sinSigma;
            cosSqAlpha = 1 - (sinAlpha * sinAlpha);
            cos2SigmaM = cosSqAlpha == 0 ? 0 : cosSigma - (2 * sinU1 * sinU2 / cosSqAlpha); // equatorial line
            var c = F / 16 * cosSqAlpha * (4 + (F * (4 - (3 * cosSqAlpha))));
            var previous = lambda;
            lambda = l + ((1 - c) * F * sinAlpha * (sigma + (c * sinSigma * (cos2SigmaM + (c * cosSigma * (-1 + (2 * cos2SigmaM * cos2SigmaM)))))));
            if (Math.Abs(lambda - previous) < 1e-12)
            {
                break;
            }

            if (iteration == 200)
            {
                // Nearly antipodal points do not converge; vehicles never report those, so fall back to a sphere.
                return (Haversine(lat1, lon1, lat2, lon2), Bearing(lat1, lon1, lat2, lon2));
            }
        }

        var uSq = cosSqAlpha * ((A * A) - (B * B)) / (B * B);
        var bigA = 1 + (uSq / 16384 * (4096 + (uSq * (-768 + (uSq * (320 - (175 * uSq)))))));
        var bigB = uSq / 1024 * (256 + (uSq * (-128 + (uSq * (74 - (47 * uSq))))));
        var deltaSigma = bigB * sinSigma * (cos2SigmaM + (bigB / 4 * ((cosSigma * (-1 + (2 * cos2SigmaM * cos2SigmaM)))
            - (bigB / 6 * cos2SigmaM * (-3 + (4 * sinSigma * sinSigma)) * (-3 + (4 * cos2SigmaM * cos2SigmaM))))));
        var metres = B * bigA * (sigma - deltaSigma);
        var bearing = ToDegrees(Math.Atan2(cosU2 * sinLambda, (cosU1 * sinU2) - (sinU1 * cosU2 * cosLambda)));
        return (metres, (bearing + 360) % 360);
    }

    /// <summary>
    /// Speed in mph between two reports: distance over the time between them, as the original computed it.
    /// Zero when the times are equal (the original's rule); the order of the reports does not matter.
    /// </summary>
    public static double SpeedMph(double lat1, double lon1, DateTimeOffset time1, double lat2, double lon2, DateTimeOffset time2)
    {
        var seconds = Math.Abs((time2 - time1).TotalSeconds);
        return seconds == 0 ? 0 : Inverse(lat1, lon1, lat2, lon2).Metres / seconds * MetresPerSecondToMph;
    }

    private static double Haversine(double lat1, double lon1, double lat2, double lon2)
    {
        var dLat = ToRadians(lat2 - lat1);
        var dLon = ToRadians(lon2 - lon1);
        var h = Math.Pow(Math.Sin(dLat / 2), 2) + (Math.Cos(ToRadians(lat1)) * Math.Cos(ToRadians(lat2)) * Math.Pow(Math.Sin(dLon / 2), 2));
        return 2 * 6_371_008.8 * Math.Asin(Math.Min(1, Math.Sqrt(h)));
    }

    private static double Bearing(double lat1, double lon1, double lat2, double lon2)
    {
        var (sin1, cos1) = Math.SinCos(ToRadians(lat1));
        var (sin2, cos2) = Math.SinCos(ToRadians(lat2));
        var dLon = ToRadians(lon2 - lon1);
        return (ToDegrees(Math.Atan2(Math.Sin(dLon) * cos2, (cos1 * sin2) - (sin1 * cos2 * Math.Cos(dLon)))) + 360) % 360;
    }

    private static double ToRadians(double degrees) => degrees * Math.PI / 180;

    private static double ToDegrees(double radians) => radians * 180 / Math.PI;
}
