using System.Net.Http.Headers;
using System.Text;

namespace Fleetman.Testing;

/// <summary>Requests to the routes that need the admin user (HTTP Basic <c>admin</c>), with or without its password.</summary>
public static class AdminRequests
{
    public static AuthenticationHeaderValue Credentials(string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"admin:{password}")));

    /// <summary>Sends <paramref name="method"/> to <paramref name="path"/> with an optional JSON body; anonymous when <paramref name="password"/> is null.</summary>
    public static async Task<HttpResponseMessage> SendAsAdminAsync(this HttpClient http, HttpMethod method, string path, string? json, string? password)
    {
        ArgumentNullException.ThrowIfNull(http);
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        if (password is not null)
        {
            request.Headers.Authorization = Credentials(password);
        }

        return await http.SendAsync(request);
    }
}
