namespace Fleetman.Deploy.Tests;

/// <summary>
/// The commands of the chapter READMEs name only what exists by then: the chapter's files and the earlier ones', or
/// what an earlier command made. The parser itself is tested on small READMEs, each of which must fail or pass.
/// </summary>
public sealed class CourseReadmeTests
{
    [Theory]
    [MemberData(nameof(Course.All), MemberType = typeof(Course))]
    public void Every_object_a_chapter_readme_names_exists_in_that_chapter_or_an_earlier_one(string id)
    {
        // A chapter's objects exist once a command applies its files (kubectl apply -f the folder or a file), so a
        // README that names an object before applying it fails here as the command would.
        // The EKS chapter works on a cluster of its own, made for it: it starts empty, and the minikube chapters
        // after it go on from the chapter before it.
        var check = new ReadmeCheck();
        var before = 0;
        foreach (var chapter in Course.Chapters().TakeWhile(chapter => string.CompareOrdinal(chapter.Id, id) <= 0)
            .Where(chapter => chapter.Id == id || chapter.Id != Course.OwnCluster))
        {
            if (chapter.Id == Course.OwnCluster)
            {
                check = new ReadmeCheck();
            }

            before = check.Problems.Count;
            check.AddPodTemplates(chapter.PodTemplateLabels, chapter.Id);
            check.Follow(File.Exists(chapter.ReadmePath) ? chapter.Readme : "", $"{chapter.Id}/README.md");
        }

        // Earlier chapters' problems are reported by their own cases.
        check.Problems.Skip(before).ToList().ShouldHaveNone($"{id}/README.md: commands that name what is not there");
    }

    [Theory]
    [MemberData(nameof(Course.All), MemberType = typeof(Course))]
    public void Every_manifest_of_a_chapter_is_applied_by_its_readme(string id)
    {
        var chapter = Course.Chapter(id);
        var check = new ReadmeCheck();
        check.Follow(chapter.Readme, $"{id}/README.md");

        chapter.ManifestFiles
            .Where(file => !check.Applied.Contains(Path.Combine(chapter.Folder, file)) && !check.Applied.Contains(chapter.Folder))
            .ShouldBeEmpty($"{id}: files its README never applies (kubectl apply -f the folder or the file)");
    }

    [Fact]
    public void Continuations_comments_pipelines_substitutions_and_here_documents_are_split_as_bash_would()
    {
        const string readme = """
            Text with `kubectl get pod nothing` outside a block is prose.

            ```bash
            kubectl get pods \
              -l app=webapp   # all webapp pods
            kubectl logs $(kubectl get pod -l app=queue -o name) | grep -i error && echo "done; really"
            cat <<'EOF' | kubectl apply -f -
            apiVersion: v1
            kind: Namespace
            metadata:
              name: scratch
            EOF
            ```

            ```yaml
            kubectl get pod in-a-yaml-block
            ```
            """;

        var commands = CourseReadme.Commands(readme);

        commands.Select(command => string.Join(' ', command.Words)).ShouldBe(
        [
            "kubectl get pods -l app=webapp",
            "kubectl get pod -l app=queue -o name",
            "kubectl logs $(kubectl get pod -l app=queue -o name)",
            "grep -i error",
            "echo done; really",
            "cat",
            "kubectl apply -f -",
        ]);
        commands[0].Line.ShouldBe(4);
        commands[^1].Stdin.ShouldNotBeNull().ShouldContain("name: scratch");
    }

    [Fact]
    public void An_object_no_file_and_no_command_made_is_reported()
        => ShouldReport(
            """
                ```bash
                kubectl describe pod webapp
                kubectl logs deploy/position-simulator
                kubectl get svc fleetman-queue
                ```
                """,
            "line 3: kubectl logs deploy/position-simulator: Deployment position-simulator (namespace default)",
            "Service fleetman-queue");

    [Fact]
    public void Objects_made_by_earlier_commands_are_accepted_and_only_after_them()
        => ShouldReport(
            """
                ```bash
                kubectl get all -n playground
                kubectl create ns playground
                kubectl get all -n playground
                kubectl autoscale deployment webapp --cpu-percent 400 --min 1 --max 4
                kubectl get hpa webapp
                kubectl create secret generic mycredentials --from-file=auth
                kubectl describe secret mycredentials
                k8s/course/create-secrets.sh
                kubectl get secret fleetman-credentials -o yaml
                kubectl create job sweep-now --from=cronjob/sweep
                ```
                """,
            "line 2: kubectl get all -n playground: Namespace playground",
            "CronJob sweep");

    [Fact]
    public void Kind_aliases_and_kind_slash_name_resolve_to_the_same_objects()
    {
        Check(Webapp, """
            ```bash
            kubectl get deploy webapp
            kubectl describe deployment.apps/webapp
            kubectl rollout undo deploy webapp --to-revision=2
            kubectl rollout status deployment/webapp
            kubectl exec -it deploy/webapp -- sh -c 'wget -qO- http://localhost:8080/'
            kubectl get po,svc,deploy
            kubectl -n default scale --replicas=2 deployments webapp
            ```
            """).ShouldBeEmpty();

        Check(Webapp, """
            ```bash
            kubectl get sts webapp
            ```
            """).ShouldHaveSingleItem().ShouldContain("StatefulSet webapp");
    }

    [Fact]
    public void A_label_selector_must_match_some_pod()
        => ShouldReport(
            """
                ```bash
                kubectl get pods -l app=webapp
                kubectl get pods -l 'app in (webapp, queue),release!=1'
                kubectl get pods --selector=app=queue
                kubectl delete pod -l release=0
                ```
                """,
            "-l app=queue",
            "-l release=0");

    [Fact]
    public void Cluster_objects_are_accepted_only_from_the_list_of_what_kubernetes_and_add_ons_provide()
        => ShouldReport(
            """
                ```bash
                kubectl describe svc kube-dns -n kube-system
                kubectl get pods -n kube-system -l k8s-app=kube-dns
                kubectl describe svc kube-dns
                kubectl logs -n kube-system deploy/kube-proxy
                ```
                """,
            "Service kube-dns (namespace default)",
            "Deployment kube-proxy (namespace kube-system)");

    [Fact]
    public void Helm_releases_own_their_namespace_and_their_named_objects()
        => ShouldReport(
            """
                ```bash
                helm repo add prometheus-community https://prometheus-community.github.io/helm-charts
                helm install monitoring prometheus-community/kube-prometheus-stack -n monitoring --create-namespace
                kubectl get svc monitoring-grafana -n monitoring
                kubectl -n monitoring get pods -l app.kubernetes.io/name=grafana
                helm install logs some/chart
                kubectl get svc logs-kibana
                kubectl get svc kibana
                helm uninstall nothing
                ```
                """,
            "Service kibana",
            "helm release nothing");

    [Fact]
    public void An_object_in_a_namespace_nothing_made_yet_is_reported()
    {
        var check = new ReadmeCheck();
        check.Add(Renders.Parse("""
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: early
              namespace: playground
            ---
            apiVersion: v1
            kind: Namespace
            metadata:
              name: playground
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: late
              namespace: playground
            """, "test", Course.CustomResourceGroups), "15-rbac");

        check.Problems.ShouldHaveSingleItem().ShouldContain("ConfigMap/early is in namespace playground");
    }

    [Fact]
    public void Files_and_scripts_a_command_names_must_exist()
        => ShouldReport(
            """
                ```bash
                kubectl apply -f k8s/course/01-first-pod/first-pod.yaml
                kubectl apply -f k8s/course/01-first-pod/no-such-file.yaml
                scripts/no-such-script.sh
                ```
                """,
            "no-such-file.yaml does not exist",
            "scripts/no-such-script.sh does not exist");

    [Fact]
    public void A_chapter_s_objects_exist_once_a_command_applies_its_files()
    {
        var check = new ReadmeCheck();
        check.Follow("""
            ```bash
            kubectl describe pod webapp
            kubectl apply -f k8s/course/01-first-pod/
            kubectl describe pod webapp
            ```
            """, "README.md");

        check.Problems.ShouldHaveSingleItem().ShouldContain("line 2: kubectl describe pod webapp: Pod webapp");
        check.Applied.ShouldContain(Course.Chapter("01-first-pod").Folder);
    }

    [Fact]
    public void What_applied_objects_need_must_exist_once_the_command_has_run()
    {
        var check = new ReadmeCheck();
        check.Follow("""
            ```bash
            kubectl apply -f - <<EOF
            apiVersion: v1
            kind: Pod
            metadata: { name: early }
            spec: { containers: [{ name: app, image: "fleetman-course/webapp:release0", envFrom: [{ secretRef: { name: later } }] }] }
            EOF
            kubectl create secret generic later --from-literal=key=value
            kubectl apply -f - <<EOF
            apiVersion: v1
            kind: Pod
            metadata: { name: in-time }
            spec: { containers: [{ name: app, image: "fleetman-course/webapp:release0", envFrom: [{ secretRef: { name: later } }] }] }
            EOF
            ```
            """, "README.md");

        check.Problems.ShouldHaveSingleItem().ShouldContain("Pod/early needs Secret later (namespace default)");
    }

    [Fact]
    public void A_deleted_object_is_gone_for_later_commands_but_a_stateful_set_s_pod_comes_back()
        => ShouldReport(
            """
            ```bash
            kubectl apply -f - <<EOF
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: { name: mongo }
            spec: { serviceName: mongo, selector: { matchLabels: { app: mongo } }, template: { metadata: { labels: { app: mongo } }, spec: { containers: [{ name: mongo, image: "mongo:8.0.4" }] } } }
            EOF
            kubectl delete pod mongo-0
            kubectl logs mongo-0
            kubectl delete pod webapp
            kubectl describe pod webapp
            kubectl delete -f k8s/course/01-first-pod/first-pod.yaml
            kubectl delete sts mongo
            kubectl logs mongo-0
            ```
            """,
            "line 11: kubectl describe pod webapp: Pod webapp",
            "line 12: kubectl delete -f k8s/course/01-first-pod/first-pod.yaml: Pod webapp",
            "line 14: kubectl logs mongo-0: Pod mongo-0");

    [Fact]
    public void Objects_applied_from_a_here_document_exist_afterwards()
    {
        Check(Webapp, """
            ```bash
            kubectl apply -f - <<EOF
            apiVersion: v1
            kind: ServiceAccount
            metadata:
              name: new-joiner
            EOF
            kubectl create token new-joiner
            ```
            """).ShouldBeEmpty();
    }

    [Fact]
    public void Unknown_flags_kinds_and_placeholders_are_reported_rather_than_guessed()
        => ShouldReport(
            """
                ```bash
                kubectl get pods --frobnicate webapp
                kubectl get widgets
                kubectl delete pod '<pod-name>'
                kubectl logs webapp-<hash>
                ```
                """,
            "--frobnicate",
            "'widgets'",
            "placeholder",
            "Pod webapp- (namespace default)");

    private const string Webapp = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: webapp
        spec:
          selector:
            matchLabels:
              app: webapp
          template:
            metadata:
              labels:
                app: webapp
            spec:
              containers:
                - name: webapp
                  image: fleetman-course/webapp:release0
        ---
        apiVersion: v1
        kind: Pod
        metadata: { name: webapp, labels: { app: webapp } }
        spec: { containers: [{ name: webapp, image: "fleetman-course/webapp:release0" }] }
        """;

    /// <summary>The README's problems against <see cref="Webapp"/> are exactly these, in order (each a part of the message).</summary>
    private static void ShouldReport(string readme, params string[] expected)
    {
        var problems = Check(Webapp, readme);

        problems.Count.ShouldBe(expected.Length, string.Join("\n", problems));
        for (var i = 0; i < expected.Length; i++)
        {
            problems[i].ShouldContain(expected[i]);
        }
    }

    private static IReadOnlyList<string> Check(string manifests, string readme)
    {
        var check = new ReadmeCheck();
        check.Add(Renders.Parse(manifests, "test", Course.CustomResourceGroups), "test");
        check.Follow(readme, "README.md");
        return check.Problems;
    }
}
