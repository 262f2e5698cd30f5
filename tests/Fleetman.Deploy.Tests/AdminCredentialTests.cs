namespace Fleetman.Deploy.Tests;

/// <summary>
/// Every service with state-changing routes checks the admin credentials itself, with the edge's admin password: each
/// deployment gives it to them from the same Secret as the edge, or they would answer 403 (no password) or 401 (another one).
/// </summary>
public sealed class AdminCredentialTests
{
    /// <summary>The services with routes that need the admin user: the simulator's control API, the geofences.</summary>
    public static readonly IReadOnlyList<string> AdminServices = ["position-simulator", "position-tracker", "api-gateway"];

    private const string EdgeSetting = "Gateway__AdminPassword";
    private const string ServiceSetting = "Admin__Password";

    [Theory]
    [MemberData(nameof(Renders.All), MemberType = typeof(Renders))]
    public void Every_render_gives_the_services_with_admin_routes_the_edges_admin_password(string render) =>
        ShouldShareTheEdgesPassword(Workload.In(render), render);

    [Theory]
    [MemberData(nameof(Course.All), MemberType = typeof(Course))]
    public void Every_course_chapter_gives_the_services_with_admin_routes_the_edges_admin_password(string id) =>
        ShouldShareTheEdgesPassword(Course.Chapter(id).Workloads, id);

    [Fact]
    public void Docker_compose_gives_the_services_with_admin_routes_the_edges_admin_password()
    {
        var path = Path.Combine(Renders.Folder, "compose.yaml");
        File.Exists(path).ShouldBeTrue($"{path} is missing: scripts/render-manifests.sh runs docker-compose config");
        var services = (Dictionary<object, object>)new DeserializerBuilder().Build().Deserialize<Dictionary<string, object>>(File.ReadAllText(path))["services"];

        var edge = Environment(services, "gateway")[EdgeSetting];
        edge.ShouldNotBeNullOrEmpty();
        foreach (var service in AdminServices)
        {
            Environment(services, service).GetValueOrDefault(ServiceSetting).ShouldBe(edge, $"compose service {service} has not the edge's admin password");
        }

        static Dictionary<string, string?> Environment(Dictionary<object, object> services, string name) =>
            ((Dictionary<object, object>)((Dictionary<object, object>)services[name])["environment"])
                .ToDictionary(entry => (string)entry.Key, entry => entry.Value as string);
    }

    [Fact]
    public void The_fleetman_script_gives_every_service_it_starts_the_edges_admin_password()
    {
        // It exports the variable, so every service it starts inherits it.
        var script = File.ReadAllText(Path.Combine(Repository.Root, "fleetman"));

        script.ShouldContain($"{ServiceSetting}=${EdgeSetting}");
        script.ShouldContain($"export {EdgeSetting} {ServiceSetting}");
    }

    private static void ShouldShareTheEdgesPassword(IEnumerable<Workload> workloads, string where)
    {
        var containers = workloads.SelectMany(workload => workload.AllContainers).ToList();
        var references = new List<string>();
        foreach (var service in AdminServices)
        {
            foreach (var container in containers.Where(container => container.Name == service))
            {
                var reference = (container.Env ?? []).SingleOrDefault(variable => variable.Name == ServiceSetting)?.ValueFrom?.SecretKeyRef;
                reference.ShouldNotBeNull($"{where}: {service} gets no {ServiceSetting} from a Secret");
                references.Add($"{reference.Name}/{reference.Key}");
            }
        }

        references.AddRange(containers
            .SelectMany(container => container.Env ?? [])
            .Where(variable => variable.Name == EdgeSetting && variable.ValueFrom?.SecretKeyRef is not null)
            .Select(variable => $"{variable.ValueFrom.SecretKeyRef.Name}/{variable.ValueFrom.SecretKeyRef.Key}"));
        references.Distinct().Count().ShouldBeLessThanOrEqualTo(1, $"{where}: the admin password comes from different Secrets: {string.Join(", ", references.Distinct())}");
    }
}
