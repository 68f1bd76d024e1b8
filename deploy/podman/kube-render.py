#!/usr/bin/python3
"""Renders deploy/k8s/ into what `podman kube play` (podman 4.3) runs on one host.

  kube-render.py K8S_DIR SECRETS_DIR REDIS_ACL SECRET_OUT_DIR DNS_SERVER > rendered.yaml

What changes, and why (deploy/README.md, "Kubernetes manifests under podman"):
* Deployments and the Redis StatefulSet become one Pod each, named like their
  Service (telederm-redis, telederm-intake, ...): podman has no Services, but on
  a podman network a pod's name resolves in DNS, so the addresses in the
  ConfigMap work unchanged. replicas are not honoured: one pod each.
* The StatefulSet's volumeClaimTemplates become a PersistentVolumeClaim (a
  podman volume); the blobs claim is a volume both pods mount, as ReadWriteMany.
* secrets.yaml's placeholders are replaced by Secrets made from SECRETS_DIR
  (dev-certs.sh's files and the Redis passwords) and REDIS_ACL, written one
  file each to SECRET_OUT_DIR (NAME.yaml) for `podman secret create NAME`, not
  into the played YAML: podman 4.3 mounts a played Secret's `data` still
  base64-encoded and ignores `stringData`, while a podman secret holding a
  Secret whose `data` is the files' text is mounted as that text. Every
  secret volume gets `optional: false` (podman 4.3 crashes without it:
  podman#16636).
* containerPorts are dropped: podman 4.3 publishes each on the same port of
  the host (Kubernetes publishes nothing), and pods reach each other on the
  podman network without them.
* Probes are dropped: podman turns an httpGet probe into `curl` inside the
  container (the images have none) and a named port into port 0. The images'
  own HEALTHCHECK (the same /healthz) stands in.
* Every Pod's only DNS server is DNS_SERVER (dnsPolicy None, dnsConfig): the
  podman network's gateway, where aardvark-dns answers (deploy/README.md,
  "Container names in DNS"); a cluster's own DNS needs no such setting.
* Images are local only (imagePullPolicy: Never); namespaces are dropped.
* Not played: Namespace, Service, HorizontalPodAutoscaler and the
  prometheus-adapter rules (podman has no API server, scheduler or metrics).
"""
import glob
import os
import sys

import yaml

k8s_dir, secrets_dir, redis_acl, secret_out_dir, dns_server = sys.argv[1:6]
UNSUPPORTED = {"Namespace", "Service", "HorizontalPodAutoscaler", "Kustomization"}
SKIPPED_NAMES = {"telederm-adapter-rules"}


def read(path):
    with open(path) as f:
        return f.read()


def write_secret(name, files):
    """SECRET_OUT_DIR/NAME.yaml: a Secret whose data is the files' text (see above)."""
    doc = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name}, "type": "Opaque",
           "data": {key: read(path) for key, path in files.items()}}
    with open(os.path.join(secret_out_dir, f"{name}.yaml"), "w") as f:
        yaml.safe_dump(doc, f, sort_keys=False)


def pod(name, template):
    spec = template["spec"]
    for container in spec["containers"]:
        for dropped in ("ports", "startupProbe", "readinessProbe", "livenessProbe"):
            container.pop(dropped, None)
        container["imagePullPolicy"] = "Never"
    for volume in spec.get("volumes", []):
        if "secret" in volume:
            volume["secret"]["optional"] = False
    spec["dnsPolicy"] = "None"
    spec["dnsConfig"] = {"nameservers": [dns_server]}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": template["metadata"]["labels"]},
            "spec": spec}


def render():
    write_secret("telederm-tls", {"tls.crt": f"{secrets_dir}/server.pem", "tls.key": f"{secrets_dir}/server.key",
                                  "ca.crt": f"{secrets_dir}/ca.pem"})
    write_secret("telederm-token-keys", {"token-keys": f"{secrets_dir}/token-keys"})
    write_secret("telederm-redis-passwords",
                 {s: f"{secrets_dir}/redis-{s}.password" for s in ("intake", "triage", "referral")})
    write_secret("telederm-redis-config", {"redis.conf": os.path.join(k8s_dir, "..", "redis", "redis.conf"),
                                           "users.acl": redis_acl})
    out = []
    workloads = []
    for path in sorted(glob.glob(os.path.join(k8s_dir, "*.yaml"))):
        for doc in yaml.safe_load_all(open(path)):
            if not doc or doc["kind"] in UNSUPPORTED or doc["kind"] == "Secret":
                continue
            doc.get("metadata", {}).pop("namespace", None)
            if doc["metadata"]["name"] in SKIPPED_NAMES:
                continue
            if doc["kind"] == "Deployment":
                workloads.append(pod(doc["metadata"]["name"], doc["spec"]["template"]))
            elif doc["kind"] == "StatefulSet":
                name = doc["metadata"]["name"]
                template = doc["spec"]["template"]
                for claim in doc["spec"].get("volumeClaimTemplates", []):
                    claim_name = f"{name}-{claim['metadata']['name']}"
                    out.append({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                                "metadata": {"name": claim_name}, "spec": claim["spec"]})
                    template["spec"].setdefault("volumes", []).append(
                        {"name": claim["metadata"]["name"], "persistentVolumeClaim": {"claimName": claim_name}})
                workloads.append(pod(name, template))
            else:
                out.append(doc)
    # Redis first: the services retry until it answers, but start sooner if it is there.
    workloads.sort(key=lambda w: w["metadata"]["name"] != "telederm-redis")
    return out + workloads


yaml.safe_dump_all(render(), sys.stdout, sort_keys=False)
