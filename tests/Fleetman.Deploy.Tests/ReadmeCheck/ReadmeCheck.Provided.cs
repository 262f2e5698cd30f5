namespace Fleetman.Deploy.Tests;

public sealed partial class ReadmeCheck
{
    /// <summary>What Kubernetes itself or a minikube add-on provides: the only objects a README may name without making them.</summary>
    public static readonly IReadOnlyDictionary<(string Kind, string Namespace, string Name), string> Provided = new Dictionary<(string, string, string), string>
    {
        [("Namespace", "", "default")] = "every cluster has it",
        [("Namespace", "", "kube-system")] = "every cluster has it",
        [("Namespace", "", "kube-public")] = "every cluster has it",
        [("Namespace", "", "kube-node-lease")] = "every cluster has it",
        [("Namespace", "", "ingress-nginx")] = "minikube's ingress add-on installs its controller there",
        [("Service", "default", "kubernetes")] = "the API server's own Service, in every cluster",
        [("Service", "kube-system", "kube-dns")] = "the cluster DNS (CoreDNS) behind its historical Service name",
        [("Deployment", "kube-system", "coredns")] = "the cluster DNS",
        [("Deployment", "kube-system", "metrics-server")] = "minikube's metrics-server add-on, which kubectl top and autoscalers need",
        [("Service", "kube-system", "metrics-server")] = "minikube's metrics-server add-on",
        [("Deployment", "ingress-nginx", "ingress-nginx-controller")] = "minikube's ingress add-on",
        [("Service", "ingress-nginx", "ingress-nginx-controller")] = "minikube's ingress add-on",
        [("Node", "", "minikube")] = "minikube's one node",
        [("ClusterRole", "", "cluster-admin")] = "one of Kubernetes' default user-facing ClusterRoles",
        [("ClusterRole", "", "admin")] = "one of Kubernetes' default user-facing ClusterRoles",
        [("ClusterRole", "", "edit")] = "one of Kubernetes' default user-facing ClusterRoles",
        [("ClusterRole", "", "view")] = "one of Kubernetes' default user-facing ClusterRoles",
    };

    /// <summary>Label selectors of pods Kubernetes or an add-on runs.</summary>
    public static readonly IReadOnlyDictionary<(string Namespace, string Selector), string> ProvidedSelectors = new Dictionary<(string, string), string>
    {
        [("kube-system", "k8s-app=kube-dns")] = "CoreDNS's pods",
        [("kube-system", "k8s-app=metrics-server")] = "minikube's metrics-server add-on",
        [("ingress-nginx", "app.kubernetes.io/component=controller")] = "minikube's ingress add-on",
        [("kube-system", "app.kubernetes.io/name=aws-ebs-csi-driver")] = "the EBS CSI driver, the EKS add-on the eksctl cluster of chapter 08 installs",
    };

    /// <summary>Kinds whose objects the cluster makes and names itself: listed, never named.</summary>
    private static readonly HashSet<string> Unnamed = new() { "Event", "Endpoints", "EndpointSlice" };
}
