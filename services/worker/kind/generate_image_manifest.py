#!/usr/bin/env python3
"""Writes images-by-app.json: the images each AIOpsLab app (and the shared components) runs.

Upstream ships only the union, kind/images.txt. This reads the files AIOpsLab actually deploys
from: the app charts and manifests of aiopslab-applications (and its train-ticket and
flight-ticket submodules), the remote charts the app classes install (pinned by version where
upstream pins one, else the newest release in the mirror), the OpenEBS operator manifest URL,
the vendored Prometheus chart and the wrk2 job template. Each chart's image rule is written out
below beside the template line it mirrors (there is no helm here to render them).

Sources are bare git mirrors laid out as <mirrors>/<owner>+<name>/repo (what the `fetch` tool
produces). Needs PyYAML (values files use anchors and multi-document YAML).

Usage: generate_image_manifest.py --upstream ../shared/upstream/aiopslab --mirrors /work/.mirror [--out images-by-app.json]
"""
import argparse
import json
import re
import subprocess
from pathlib import Path

import yaml

from derive_problem_apps import derive

HERE = Path(__file__).resolve().parent
APPLICATIONS_PINNED = "8038be6b4989c647126f27715acc591c47133c2d"  # upstream's submodule pin


class Mirror:
    def __init__(self, mirrors: Path, repo: str, rev: str):
        self.repo, self.git_dir = repo, mirrors / repo.replace("/", "+") / "repo"
        if not self.git_dir.is_dir():
            raise SystemExit(f"no mirror of {repo} at {self.git_dir}: fetch github:{repo} first")
        self.commit = self._git("rev-parse", rev + "^{commit}").strip()

    def _git(self, *args) -> str:
        return subprocess.run(["git", "--git-dir", str(self.git_dir), *args], check=True, capture_output=True, text=True).stdout

    def has(self, rev: str) -> bool:
        return subprocess.run(["git", "--git-dir", str(self.git_dir), "cat-file", "-e", rev + "^{commit}"], capture_output=True).returncode == 0

    def show(self, path: str) -> str:
        return self._git("show", f"{self.commit}:{path}")

    def files(self, prefix: str) -> list:
        return self._git("ls-tree", "-r", "--name-only", self.commit, prefix).split()

    def submodule(self, path: str) -> str:
        return self._git("ls-tree", self.commit, path).split()[2]

    def newest_tag(self, pattern: str) -> str:
        tags = self._git("tag", "--list", pattern, "--sort=-v:refname").split()
        return next(t for t in tags if not re.search(r"rc|alpha|beta", t))

    def image_lines(self):
        """(path, line) of every line that may name an image, for explaining images.txt entries."""
        out = self._git("grep", "-I", "-E", "-e", "image|IMAGE|Image|^FROM ", self.commit)
        for row in out.splitlines():
            _, path, line = row.split(":", 2)
            yield path, line

    def source(self, what: str, note: str = "") -> dict:
        return {"repo": self.repo, "commit": self.commit, "read": what, **({"note": note} if note else {})}


def normalized(ref: str) -> str:
    """What the Docker engine calls the reference: docker.io/library/ dropped, :latest added."""
    ref = re.sub(r"^(docker\.io/)?(library/)?", "", ref)
    name = ref.split("@")[0]
    return ref if "@" in ref or ":" in name.rsplit("/", 1)[-1] else ref + ":latest"


def literal_images(text: str) -> list:
    return [m for m in re.findall(r"^\s*-?\s*image:\s*[\"']?([^\s\"'{}]+)", text, re.M)]


def sorted_unique(images) -> list:
    return sorted({normalized(i) for i in images})


def dig(values: dict, dotted: str):
    for part in dotted.split("."):
        values = (values or {}).get(part)
    return values


# ---- components every problem uses ------------------------------------------------------------

def prometheus(upstream: Path) -> dict:
    chart = upstream / "aiopslab/observer/prometheus/prometheus"
    values = yaml.safe_load((chart / "values.yaml").read_text())
    meta = lambda sub: yaml.safe_load((chart / sub / "Chart.yaml").read_text())
    server = values["server"]["image"]
    # templates/deploy.yaml: server.image.repository:(tag | default .Chart.AppVersion)
    images = [f"{server['repository']}:{server['tag'] or meta('.')['appVersion']}"]
    reload = values["configmapReload"]["prometheus"]
    if reload["enabled"]:
        images.append(f"{reload['image']['repository']}:{reload['image']['tag']}")
    for sub in ["alertmanager", "kube-state-metrics", "prometheus-node-exporter", "prometheus-pushgateway", "prometheus-blackbox-exporter"]:
        if not values.get(sub, {}).get("enabled"):
            continue
        sub_values = yaml.safe_load((chart / "charts" / sub / "values.yaml").read_text())["image"]
        app_version = str(meta(f"charts/{sub}")["appVersion"])
        # kube-state-metrics and node-exporter _helpers.tpl: registry/repository:(tag | default "v"+AppVersion)
        tag = sub_values.get("tag") or (f"v{app_version}" if "registry" in sub_values else app_version)
        repo = f"{sub_values['registry']}/{sub_values['repository']}" if sub_values.get("registry") else sub_values["repository"]
        images.append(f"{repo}:{tag}")
    return {"images": sorted_unique(images), "source": {"path": "aiopslab/observer/prometheus/prometheus (values.yaml, charts/*)"}}


def openebs(mirrors: Path, upstream: Path) -> dict:
    workflow = (upstream / ".github/workflows/integration-test.yml").read_text()
    url = re.search(r"kubectl apply -f (https://openebs\.github\.io/\S+)", workflow).group(1)
    # openebs.github.io/charts/<file> is the gh-pages branch of openebs/charts
    charts = Mirror(mirrors, "openebs/charts", "gh-pages")
    text = charts.show(url.split("/charts/", 1)[1])
    env_images = re.findall(r"name: \S*IMAGE\s*\n\s*value: \"?([^\s\"]+)", text)
    return {"images": sorted_unique(literal_images(text) + env_images), "source": charts.source(f"{url} (gh-pages)")}


def workload_generator(upstream: Path) -> dict:
    template = upstream / "aiopslab/generators/workload/wrk-job-template.yaml"
    return {"images": sorted_unique(literal_images(template.read_text())), "source": {"path": "aiopslab/generators/workload/wrk-job-template.yaml"}}


def chaos_mesh(mirrors: Path) -> dict:
    repo = Mirror(mirrors, "chaos-mesh/chaos-mesh", "HEAD")
    tag = repo.newest_tag("v*")
    repo = Mirror(mirrors, "chaos-mesh/chaos-mesh", tag)
    values = yaml.safe_load(repo.show("helm/chaos-mesh/values.yaml"))
    registry, default_tag = values["images"]["registry"], values["images"]["tag"]
    images = []
    for part in ["controllerManager", "chaosDaemon", "dashboard", "dnsServer"]:
        if values[part].get("create", True) is False:
            continue
        image = values[part]["image"]
        # images would be constructed by <registry>/<repository>:<tag> (values.yaml)
        images.append(f"{image['registry'] or registry}/{image['repository']}:{image['tag'] or default_tag}")
    note = "inject_symp.py installs chaos-mesh/chaos-mesh from charts.chaos-mesh.org unpinned: the newest release tag in the mirror"
    return {"images": sorted_unique(images), "source": repo.source(f"helm/chaos-mesh/values.yaml at {tag}", note)}


# ---- apps -----------------------------------------------------------------------------------

def hotel_reservation(apps: Mirror, upstream: Path) -> dict:
    metadata = json.loads((upstream / "aiopslab/service/metadata/hotel-reservation.json").read_text())
    deploy = metadata["K8S Deploy Path"]
    images = [i for path in apps.files(deploy) if path.endswith((".yaml", ".yml")) for i in literal_images(apps.show(path))]
    # misconfig_app swaps the geo container's image (inject_app.py: container.image = "...")
    fault = re.findall(r'container\.image = "([^"]+)"', (upstream / "aiopslab/generators/fault/inject_app.py").read_text())
    return {"images": sorted_unique(images + fault), "source": apps.source(f"{deploy}/**.yaml; fault images of aiopslab/generators/fault/inject_app.py")}


def social_network(apps: Mirror, upstream: Path) -> dict:
    chart = json.loads((upstream / "aiopslab/service/metadata/social-network.json").read_text())["Helm Config"]["chart_path"]
    values = yaml.safe_load(apps.show(f"{chart}/values.yaml"))
    glob = values["global"]
    images, skipped = [], []
    for dep in yaml.safe_load(apps.show(f"{chart}/Chart.yaml"))["dependencies"]:
        if "condition" in dep and not dig(values, dep["condition"]):
            skipped.append(dep["name"])
            continue
        sub = yaml.safe_load(apps.show(f"{chart}/charts/{dep['name']}/values.yaml"))
        for part in ["container", "initContainer"]:
            spec = {**(sub.get(part) or {}), **(dig(values, f"{dep['name']}.{part}") or {})}
            if spec.get("image"):
                # _baseDeployment.tpl: dockerRegistry/image:(imageVersion | default global.defaultImageVersion)
                images.append(f"{spec.get('dockerRegistry') or glob['dockerRegistry']}/{spec['image']}:{spec.get('imageVersion') or glob['defaultImageVersion']}")
    for path in apps.files(f"{chart}/templates/hooks"):
        text = apps.show(path)
        guard = re.search(r"if \.Values\.(\S+)", text)
        if guard is None or dig(values, guard.group(1)):
            images += literal_images(text)
    note = f"subcharts off by their conditions: {', '.join(skipped)}" if skipped else ""
    return {"images": sorted_unique(images), "source": apps.source(f"{chart} (values.yaml, charts/*/values.yaml, templates/hooks)", note)}


def astronomy_shop(mirrors: Path) -> dict:
    repo = Mirror(mirrors, "open-telemetry/opentelemetry-helm-charts", "HEAD")
    tag = repo.newest_tag("opentelemetry-demo-*")
    repo = Mirror(mirrors, "open-telemetry/opentelemetry-helm-charts", tag)
    chart_meta = yaml.safe_load(repo.show("charts/opentelemetry-demo/Chart.yaml"))
    values = yaml.safe_load(repo.show("charts/opentelemetry-demo/values.yaml"))
    default = values["default"]["image"]
    images = []
    for name, component in values["components"].items():
        if not component.get("enabled", True):
            continue
        override = component.get("imageOverride") or {}
        # _objects.tpl: (imageOverride.repository | default image.repository):(imageOverride.tag | default AppVersion-name)
        images.append(f"{override.get('repository') or default['repository']}:{override.get('tag') or (default.get('tag') or chart_meta['appVersion']) + '-' + name}")
        for extra in (component.get("initContainers") or []) + (component.get("sidecarContainers") or []):
            if extra.get("image"):
                images.append(extra["image"])
    unresolved = []
    for dep in chart_meta["dependencies"]:
        key = dep.get("alias", dep["name"])
        if not dig(values, f"{key}.enabled"):
            continue
        if dep["name"] == "opentelemetry-collector" and repo.has(f"opentelemetry-collector-{dep['version']}"):
            collector = Mirror(mirrors, "open-telemetry/opentelemetry-helm-charts", f"opentelemetry-collector-{dep['version']}")
            app_version = yaml.safe_load(collector.show("charts/opentelemetry-collector/Chart.yaml"))["appVersion"]
            images.append(f"{values[key]['image']['repository']}:{values[key]['image'].get('tag') or app_version}")
        else:
            unresolved.append(f"subchart {dep['name']} {dep['version']} from {dep['repository']}")
    note = "AstronomyShop installs open-telemetry/opentelemetry-demo unpinned: the newest chart release in the mirror"
    return {"images": sorted_unique(images), "unresolved": unresolved, "source": repo.source(f"charts/opentelemetry-demo at {tag}", note)}


def tidb_with_operator(mirrors: Path, upstream: Path) -> dict:
    metadata = json.loads((upstream / "aiopslab/service/metadata/tidb-with-operator.json").read_text())
    version = metadata["Helm Operator Config"]["version"]
    repo = Mirror(mirrors, "pingcap/tidb-operator", version)
    values = yaml.safe_load(repo.show("charts/tidb-operator/values.yaml"))
    images = [values["operatorImage"], values["tidbBackupManagerImage"]]
    if values["advancedStatefulset"]["create"]:
        images.append(values["advancedStatefulset"]["image"])
    cluster_file = metadata["K8S Config"]["config_url"].split(f"/{version}/", 1)[1]
    cluster = yaml.safe_load(repo.show(cluster_file))["spec"]
    images.append(cluster["helper"]["image"])
    for part in ["pd", "tikv", "tidb", "tiflash", "ticdc", "pump"]:
        if part in cluster:
            # TidbCluster: <component>.baseImage:(component.version | default spec.version)
            images.append(f"{cluster[part]['baseImage']}:{cluster[part].get('version') or cluster['version']}")
    note = "no registry problem deploys it (operator problems are commented out; TiDBCluster.deploy is a no-op)"
    return {"images": sorted_unique(images), "source": repo.source(f"charts/tidb-operator/values.yaml and {cluster_file} at {version}", note)}


def train_ticket(mirrors: Path, apps: Mirror) -> dict:
    repo = Mirror(mirrors, "xlab-uiuc/train-ticket", apps.submodule("train-ticket"))
    images = [i for path in repo.files("templates") for i in literal_images(repo.show(path))]
    # the chart's job runs deploy-job/deploy.sh: three helm charts, then yamls/deploy.yaml.sample
    quickstart = "deploy-job/deployment/kubernetes-manifests/quickstart-k8s"
    images += literal_images(repo.show(f"{quickstart}/yamls/deploy.yaml.sample"))
    for chart in ["mysql", "nacos", "rabbitmq"]:
        images += values_images(yaml.safe_load(repo.show(f"{quickstart}/charts/{chart}/values.yaml")))
    return {"images": sorted_unique(images), "source": repo.source(f"templates/, {quickstart}/charts/{{mysql,nacos,rabbitmq}}/values.yaml, yamls/deploy.yaml.sample", "submodule commit of aiopslab-applications")}


def values_images(values) -> list:
    """image+tag, repository+tag and plain image strings of a values tree, skipping `enabled: false` parts."""
    found = []
    if isinstance(values, dict):
        if values.get("enabled") is False:
            return found
        image, repository, tag = values.get("image"), values.get("repository"), values.get("tag")
        if isinstance(image, str):
            found.append(f"{image}:{tag}" if tag and ":" not in image else image)
        elif isinstance(repository, str) and tag:
            found.append(f"{repository}:{tag}")
        for child in values.values():
            found += values_images(child)
    elif isinstance(values, list):
        for child in values:
            found += values_images(child)
    return found


def flight_ticket(mirrors: Path, apps: Mirror) -> dict:
    repo = Mirror(mirrors, "xlab-uiuc/flight-ticket", apps.submodule("flight-ticket"))
    images = values_images(yaml.safe_load(repo.show("values.yaml")))
    images += [i for path in repo.files("templates") for i in literal_images(repo.show(path))]
    note = "runs on OpenWhisk (namespace openwhisk), which AIOpsLab does not install; its images are not listed"
    return {"images": sorted_unique(images), "source": repo.source("values.yaml, templates/", note)}


def flower() -> dict:
    return {"images": [], "deploy": "docker", "source": {"note": "docker compose on the host (Docker Deploy Path `flower`): nothing to load into Kind"}}


# ---- images.txt accounting --------------------------------------------------------------------

def account_for(images_txt: list, manifest: dict, repos: list) -> dict:
    owners = {}
    for group in ("components", "apps"):
        for name, entry in manifest[group].items():
            for image in entry["images"]:
                owners.setdefault(image, []).append(name)
    where = {}
    for repo in repos:
        for path, line in repo.image_lines():
            for token in re.split(r"[\s\"'=,\[\]]+", line):
                if "/" in token or re.match(r"^[a-z0-9][a-z0-9._-]*(:[\w.-]+)?$", token):
                    where.setdefault(normalized(token.strip()), set()).add(f"{repo.repo}:{path}")
    assigned, unassigned = {}, []
    for image in images_txt:
        key = normalized(image)
        if key in owners:
            assigned[image] = owners[key]
            continue
        paths = sorted(where.get(key, []))
        reason = (f"named only in files no AIOpsLab deploy path reads: {', '.join(paths[:3])}{' …' if len(paths) > 3 else ''}"
                  if paths else "not named in any file of the snapshots read (it may come from a newer aiopslab-applications than the snapshot)")
        unassigned.append({"image": image, "reason": reason})
    listed = {normalized(i) for i in images_txt}
    not_listed = sorted(i for i in owners if i not in listed)
    return {"assigned": len(assigned), "unassigned": unassigned, "not_in_images_txt": not_listed}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--upstream", type=Path, required=True, help="AIOpsLab checkout (../shared/upstream/aiopslab)")
    parser.add_argument("--mirrors", type=Path, required=True, help="directory of bare git mirrors <owner>+<name>/repo")
    parser.add_argument("--out", type=Path, default=HERE / "images-by-app.json")
    args = parser.parse_args()
    upstream, mirrors = args.upstream.resolve(), args.mirrors.resolve()

    probe = Mirror(mirrors, "xlab-uiuc/aiopslab-applications", "HEAD")
    pinned = probe.has(APPLICATIONS_PINNED)
    apps = Mirror(mirrors, "xlab-uiuc/aiopslab-applications", APPLICATIONS_PINNED if pinned else "HEAD")
    derived = derive(upstream)
    chaos_apps = sorted({derived["problems"][p] for p in derived["chaos_mesh_problems"]})
    manifest = {
        "description": "Images each AIOpsLab app needs, and the components every problem uses (Prometheus, OpenEBS, the wrk2 workload) or some problems use (Chaos Mesh, for_apps). Generated; do not edit.",
        "generator": "services/worker/kind/generate_image_manifest.py",
        "upstream_commit": (upstream / "COMMIT").read_text().strip() if (upstream / "COMMIT").exists() else None,
        "aiopslab_applications": {"pinned": APPLICATIONS_PINNED, "read": apps.commit, **({} if pinned else {"note": "the pinned commit is not in the mirror; its newest commit was read"})},
        "components": {
            "prometheus": prometheus(upstream),
            "openebs": openebs(mirrors, upstream),
            "workload_generator": workload_generator(upstream),
            "chaos_mesh": {**chaos_mesh(mirrors), "for_apps": chaos_apps},
        },
        "apps": {
            "hotel_reservation": hotel_reservation(apps, upstream),
            "social_network": social_network(apps, upstream),
            "astronomy_shop": astronomy_shop(mirrors),
            "tidb_with_operator": tidb_with_operator(mirrors, upstream),
            "train_ticket": train_ticket(mirrors, apps),
            "flight_ticket": flight_ticket(mirrors, apps),
            "flower": flower(),
        },
        "problems": derived["problems"],
    }
    images_txt = [l.strip() for l in (upstream / "kind/images.txt").read_text().splitlines() if l.strip() and not l.startswith(("#", "//"))]
    submodules = [Mirror(mirrors, f"xlab-uiuc/{name}", apps.submodule(name)) for name in ("train-ticket", "flight-ticket")]
    manifest["images_txt"] = account_for(images_txt, manifest, [apps, *submodules])
    args.out.write_text(json.dumps(manifest, indent=2) + "\n")


if __name__ == "__main__":
    main()
