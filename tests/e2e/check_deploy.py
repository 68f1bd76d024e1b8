#!/usr/bin/python3
"""Checks deploy/ statically, in seconds (deploy/container-check.sh builds and runs
the images, which takes long and is not part of ctest):

* every YAML file parses (python3-yaml), and the Kubernetes objects have what
  telederm needs: probes on the metrics port, Secrets mounted, HPAs on the lag;
* docker-compose.yml names Redis, the three services and the web console, each
  built from a target of deploy/docker/Dockerfile;
* in that Dockerfile, the build stage installs deploy/install-deps.sh --build's
  packages, and each image's stages install the Debian package of every shared
  library its binary (built here) needs, as readelf, ldd and dpkg -S tell; each
  runs as the unprivileged user with a HEALTHCHECK;
* the systemd units start the binaries with the production Redis configuration;
* container names resolve reliably under podman (deploy/README.md, "Container
  names in DNS"): container-check.sh makes each network with podman/network.sh
  and gives every container its gateway as DNS server, kube-render.py puts it
  in every Pod's dnsConfig, containers.conf retries a dropped query after 1 s.

  check_deploy.py REPO_ROOT INTAKE_BIN TRIAGE_BIN REFERRAL_BIN WEB_BIN CLI_BIN
Prints one line per check; exit status 1 on the first failure.
"""
import configparser
import glob
import os
import re
import subprocess
import sys
import tempfile
import tomllib

import yaml

root, binaries = sys.argv[1], dict(zip(("intake", "triage", "referral", "web", "cli"), sys.argv[2:7]))
deploy = os.path.join(root, "deploy")
# In the debian:bookworm base image already (debootstrap's minbase: Essential and required by apt).
BASE_PACKAGES = {"libc6", "libstdc++6", "libgcc-s1", "zlib1g", "libzstd1", "liblzma5", "libbz2-1.0", "libcrypt1",
                 "libsystemd0", "libgcrypt20", "libgpg-error0", "liblz4-1", "libcap2", "libselinux1", "libpcre2-8-0",
                 "libudev1", "libtinfo6", "libacl1", "libattr1", "libdb5.3", "libaudit1", "libcap-ng0", "libseccomp2",
                 "libffi8", "libxxhash0", "libgmp10", "libp11-kit0", "libtasn1-6", "libidn2-0", "libunistring2",
                 "libnettle8", "libhogweed6", "libgnutls30", "libsemanage2", "libsepol2", "libbsd0", "libmd0"}


def check(condition, message):
    if not condition:
        print(f"FAIL {message}")
        sys.exit(1)
    print(f"ok   {message}")


def dockerfile_stages(dockerfile):
    """{stage name: (parent image or stage, the stage's instructions)}, continuation lines joined."""
    text = open(dockerfile).read().replace("\\\n", " ")
    stages = {}
    for block in re.split(r"^FROM ", text, flags=re.MULTILINE)[1:]:
        header, _, body = block.partition("\n")
        parent, _, name = header.partition(" AS ")
        stages[name.strip() or parent.strip()] = (parent.strip(), body)
    return stages


def stage_chain(stages, target):
    """The instructions of target and of every stage it is built FROM, target first."""
    chain = []
    while target in stages:
        parent, body = stages[target]
        chain.append(body)
        target = parent
    return chain


def stage_chain_roots(stages, target):
    while target in stages:
        target = stages[target][0]
    return target


def installed_packages(chain):
    packages = set()
    for body in chain:
        for command in re.findall(r"apt-get install ([^&\n>]*)", body):
            packages.update(word for word in command.split() if not word.startswith("-"))
    return packages


def linked_packages(binary):
    """The package of each library the binary itself needs (readelf NEEDED); apt brings their dependencies."""
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]",
                        subprocess.run(["readelf", "-d", binary], capture_output=True, text=True, check=True).stdout)
    out = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout
    where = {m.group(1): m.group(2) for m in re.finditer(r"^\s*(\S+) => (/\S+)", out, re.MULTILINE)}
    paths = [where[name] for name in needed if name in where]
    candidates = {}
    for path in paths:
        real = os.path.realpath(path)
        candidates[path] = (path, real, real.replace("/usr/lib/", "/lib/", 1), path.replace("/lib/", "/usr/lib/", 1))
    # One dpkg -S for all of them (each call reads dpkg's whole database);
    # it prints "package[:arch][, ...]: path" for each path it knows.
    result = subprocess.run(["dpkg", "-S", *sorted({c for cs in candidates.values() for c in cs})],
                            capture_output=True, text=True)
    owners = {}
    for line in result.stdout.splitlines():
        package, _, owned = line.partition(": ")
        owners.setdefault(owned, package.split(",")[0].split(":")[0])
    return {path: next((owners[c] for c in cs if c in owners), None) for path, cs in candidates.items()}


# 1. YAML everywhere parses.
yaml_files = sorted(glob.glob(os.path.join(deploy, "k8s", "*.yaml"))) + [os.path.join(deploy, "docker-compose.yml")]
objects = []
for path in yaml_files:
    documents = [d for d in yaml.safe_load_all(open(path)) if d]
    check(documents, f"{os.path.relpath(path, root)} parses ({len(documents)} documents)")
    if "/k8s/" in path:
        objects += documents

# 2. Kubernetes objects.
by_kind = {}
for o in objects:
    by_kind.setdefault(o["kind"], {})[o["metadata"]["name"] if "metadata" in o else "kustomization"] = o
for service in ("intake", "triage", "referral"):
    deployment = by_kind["Deployment"].get(f"telederm-{service}")
    check(deployment is not None, f"k8s Deployment telederm-{service}")
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        check(container[probe]["httpGet"] == {"path": "/healthz", "port": "metrics"},
              f"{service} {probe} asks /healthz on the metrics port")
    env = {e["name"]: e.get("value") for e in container["env"]}
    check(env["TELEDERM_METRICS_LISTEN"].endswith(f":{ports['metrics']}"), f"{service} serves metrics on its port")
    check(env["TELEDERM_LISTEN"].endswith(f":{ports['grpc']}"), f"{service} serves gRPC on its port")
    volumes = {v["name"]: v for v in deployment["spec"]["template"]["spec"]["volumes"]}
    check(volumes["tls"]["secret"]["secretName"] in by_kind["Secret"], f"{service} mounts the TLS Secret")
    check(volumes["token-keys"]["secret"]["secretName"] in by_kind["Secret"], f"{service} mounts the token keys")
    svc = by_kind["Service"][f"telederm-{service}"]
    check({p["name"] for p in svc["spec"]["ports"]} == {"grpc", "metrics"}, f"{service} Service exposes gRPC and metrics")
for service, group in (("triage", "triage"), ("referral", "referral")):
    hpa = by_kind["HorizontalPodAutoscaler"][f"telederm-{service}"]
    external = [m["external"] for m in hpa["spec"]["metrics"] if m["type"] == "External"][0]
    check(external["metric"]["name"] == "telederm_stream_lag" and external["metric"]["selector"]["matchLabels"]
          == {"group": group}, f"{service} HPA scales on telederm_stream_lag of group {group}")
    check(hpa["spec"]["scaleTargetRef"]["name"] == f"telederm-{service}", f"{service} HPA targets its Deployment")
kustomization = yaml.safe_load(open(os.path.join(deploy, "k8s", "kustomization.yaml")))
listed = set(kustomization["resources"])
on_disk = {os.path.basename(p) for p in glob.glob(os.path.join(deploy, "k8s", "*.yaml"))} - {"kustomization.yaml"}
check(listed == on_disk, "kustomization.yaml lists every manifest")

# 3. docker-compose.yml: every image from a target of the one Dockerfile.
dockerfile = os.path.join(deploy, "docker", "Dockerfile")
stages = dockerfile_stages(dockerfile)
compose = yaml.safe_load(open(os.path.join(deploy, "docker-compose.yml")))
check(set(compose["services"]) == {"redis", "intake", "triage", "referral", "web"},
      "compose has Redis, the three services and the web console")
for name, service in compose["services"].items():
    build = service["build"]
    check(build["dockerfile"] == "deploy/docker/Dockerfile" and build["target"] in stages,
          f"compose {name} builds target {build['target']} of deploy/docker/Dockerfile")
redis_volumes = compose["services"]["redis"]["volumes"]
check(any(v.startswith("./redis/redis.conf:") for v in redis_volumes) and
      any(":/etc/telederm/users.acl:" in v for v in redis_volumes), "compose Redis uses deploy/redis/")

# 4. The Dockerfile: one build stage, and each image's stages install what its binary links.
check(open(dockerfile).read().startswith("#") and stages["build"][0] == "debian:bookworm",
      "Dockerfile: a debian:bookworm build stage")
check("deploy/install-deps.sh --build" in stages["build"][1],
      "Dockerfile: the build stage installs deploy/install-deps.sh --build's packages")
for target, binary in binaries.items():
    check(target in stages, f"Dockerfile: target {target}")
    chain = stage_chain(stages, target)
    check(stages[target][0] != "build" and stage_chain_roots(stages, target) == "debian:bookworm",
          f"{target}: runtime stages on debian:bookworm, not the build stage")
    check(f"/out/{os.path.basename(binary)}" in chain[0], f"{target}: copies its binary from the build stage")
    check(re.search(r"^USER telederm$", chain[0], re.MULTILINE) is not None, f"{target}: runs as the telederm user")
    check(any("--uid 10001" in body for body in chain), f"{target}: the telederm user is uid 10001")
    healthcheck = next((m for body in chain for m in re.findall(r"^HEALTHCHECK (.*)$", body, re.MULTILINE)), "")
    check(healthcheck.startswith("NONE") if target == "cli" else "CMD" in healthcheck,
          f"{target}: " + ("no HEALTHCHECK (not a service)" if target == "cli" else "has a HEALTHCHECK"))
    installed = installed_packages(chain)
    for library, package in sorted(linked_packages(binary).items()):
        check(package is not None, f"{target}: {library} belongs to a Debian package")
        check(package in installed or package in BASE_PACKAGES or package.split(":")[0] in BASE_PACKAGES,
              f"{target}: {os.path.basename(library)} from {package} is in its image")
check("redis-server" in installed_packages(stage_chain(stages, "redis")), "Dockerfile: target redis has redis-server")

# 5. systemd units.
for service in ("intake", "triage", "referral", "redis"):
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str
    unit.read(os.path.join(deploy, "systemd", f"telederm-{service}.service"))
    exec_start = unit["Service"]["ExecStart"]
    if service == "redis":
        check("/etc/telederm/redis.conf" in exec_start, "telederm-redis.service runs deploy/redis/redis.conf")
    else:
        check(exec_start.split()[0] == f"/usr/local/bin/telederm-{service}", f"telederm-{service}.service ExecStart")
        check("telederm-redis.service" in unit["Unit"]["Requires"], f"telederm-{service}.service needs Redis")
# 6. Container names in DNS under podman.
script = open(os.path.join(deploy, "container-check.sh")).read()
for network, before in (('"$compose_network"', "up -d --no-build"), ('"$kube_network"', "podman kube play --network")):
    made = script.find(f"network_up {network}")
    check(0 <= made < script.find(before), f"container-check.sh makes {network} with podman/network.sh before {before}")
check('--podman-run-args="--dns=$dns_server"' in script, "container-check.sh gives compose's containers the gateway as DNS")
check(script.count('--dns "$dns_server"') == 2, "container-check.sh gives both CLI containers the gateway as DNS")
podman_conf = tomllib.load(open(os.path.join(deploy, "podman", "containers.conf"), "rb"))
check(podman_conf["containers"]["dns_options"] == ["timeout:1", "attempts:5"] and
      "dns_servers" not in podman_conf["containers"], "containers.conf: retries after 1 s, no DNS server for all")
with tempfile.TemporaryDirectory() as scratch:
    for name in ("server.pem", "server.key", "ca.pem", "token-keys", "redis-intake.password",
                 "redis-triage.password", "redis-referral.password", "users.acl"):
        open(os.path.join(scratch, name), "w").write(name)
    os.mkdir(os.path.join(scratch, "out"))
    rendered = subprocess.run(["/usr/bin/python3", os.path.join(deploy, "podman", "kube-render.py"),
                               os.path.join(deploy, "k8s"), scratch, os.path.join(scratch, "users.acl"),
                               os.path.join(scratch, "out"), "10.89.7.1"], capture_output=True, text=True, check=True)
    pods = [d for d in yaml.safe_load_all(rendered.stdout) if d and d["kind"] == "Pod"]
    check(sorted(p["metadata"]["name"] for p in pods) ==
          ["telederm-intake", "telederm-redis", "telederm-referral", "telederm-triage"], "kube-render.py: four Pods")
    check(all(p["spec"]["dnsPolicy"] == "None" and p["spec"]["dnsConfig"] == {"nameservers": ["10.89.7.1"]}
              for p in pods), "kube-render.py: every Pod's only DNS server is the one given")
print("deploy/: all checks passed")
