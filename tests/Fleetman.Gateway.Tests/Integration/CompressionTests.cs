namespace Fleetman.Gateway.Tests.Integration;

/// <summary>The API's JSON over 1 KB compressed at the edge when the client asks; nothing else.</summary>
public sealed class CompressionTests(LocalRunGateway gateway) : IClassFixture<LocalRunGateway>
{
    private const string LargeJson = "/api/vehicles/?json=20000";

    [Theory]
    [InlineData("br", "br")]
    [InlineData("gzip", "gzip")]
    [InlineData("gzip, deflate, br", "br")]
    public async Task Api_json_over_1_kb_is_compressed_as_the_client_asks_and_decompresses_to_the_same_bytes(string accepted, string expected)
    {
        var plain = await GetBytesAsync(LargeJson, acceptEncoding: null);
        using var response = await GetAsync(LargeJson, accepted);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentEncoding.ShouldBe([expected]);
        response.Headers.Vary.ShouldContain("Accept-Encoding");
        var wire = await response.Content.ReadAsByteArrayAsync();
        wire.Length.ShouldBeLessThan(plain.Length / 10, "20,000 bytes of one letter shrink a lot");
        GatewayHost.Decompress(wire, expected).ShouldBe(plain);
    }

    [Fact]
    public async Task Without_accept_encoding_the_answer_goes_as_it_is()
    {
        using var response = await GetAsync(LargeJson, acceptEncoding: null);

        response.Content.Headers.ContentEncoding.ShouldBeEmpty();
        response.Content.Headers.ContentLength.ShouldBe(20_000);
    }

    [Fact]
    public async Task Json_of_1_kb_or_less_is_not_compressed()
    {
        using var response = await GetAsync("/api/vehicles/?json=1024", "br, gzip");

        response.Content.Headers.ContentEncoding.ShouldBeEmpty();
        response.Content.Headers.ContentLength.ShouldBe(1024);
    }

    [Theory]
    [InlineData("/hubs/vehicles/negotiate?json=20000", "the hub")]
    [InlineData("/admin/simulator/status?json=20000", "an admin answer, which may reflect credentials (BREACH)")]
    public async Task Answers_outside_the_api_are_never_compressed(string path, string what)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.AcceptEncoding.ParseAdd("br, gzip");
        request.Headers.Authorization = GatewayHost.Admin;
        using var response = await gateway.Http.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.OK, what);
        response.Content.Headers.ContentEncoding.ShouldBeEmpty(what);
        response.Content.Headers.ContentLength.ShouldBe(20_000, what);
    }

    private async Task<HttpResponseMessage> GetAsync(string path, string? acceptEncoding)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (acceptEncoding is not null)
        {
            request.Headers.AcceptEncoding.ParseAdd(acceptEncoding);
        }

        return await gateway.Http.SendAsync(request);
    }

    private async Task<byte[]> GetBytesAsync(string path, string? acceptEncoding)
    {
        using var response = await GetAsync(path, acceptEncoding);
        return await response.Content.ReadAsByteArrayAsync();
    }
}
