"""The Kubernetes manifests, checked offline: no API server can run here.

Every object validates against the Kubernetes OpenAPI schemas (PyPI `kubernetes-validate`,
strict: unknown fields are errors), for the newest Kubernetes it knows and an older one
still in wide use; the pieces that must fit together (ports, probes, volumes, the Secret,
the drain time) are checked across files; and the probes' paths answer 200 on a coordinator
started with the StatefulSet's arguments (when the binary has --http).
"""

from __future__ import annotations

import copy
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

from cluster_fixtures import curriculum_bin  # noqa: F401 (fixture)
from slurm_cluster import free_port

validation = pytest.importorskip(
    "kubernetes_validate", reason="kubernetes-validate is not installed: pip install kubernetes-validate (CI's .ci/run does)")
yaml = pytest.importorskip("yaml", reason="PyYAML is not installed (kubernetes-validate brings it)")

MANIFESTS = Path(__file__).resolve().parents[1] / "kubernetes"
VERSIONS = (validation.latest_version(), "1.29")


def objects() -> List[Tuple[str, Dict]]:
    found = [(path.name, doc) for path in sorted(MANIFESTS.glob("*.yaml"))
             for doc in yaml.safe_load_all(path.read_text()) if doc]
    assert found, f"no manifests in {MANIFESTS}"
    return found


def named(kind: str) -> Dict:
    matches = [doc for _, doc in objects() if doc["kind"] == kind]
    assert len(matches) == 1, f"expected one {kind}, found {len(matches)}"
    return matches[0]


def container(workload: Dict) -> Dict:
    containers = workload["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    return containers[0]


def flag(args: List[str], name: str) -> str:
    values = [a.split("=", 1)[1] for a in args if a.startswith(f"--{name}=")]
    assert len(values) == 1, f"--{name} given {len(values)} times in {args}"
    return values[0]


@pytest.mark.parametrize("version", VERSIONS)
def test_every_manifest_validates_against_the_openapi_schemas(version):
    for filename, doc in objects():
        validation.validate(doc, version, strict=True)  # raises ValidationError, naming the field


def test_the_validator_rejects_a_broken_manifest():
    broken = copy.deepcopy(named("StatefulSet"))
    broken["spec"]["replicas"] = "one"
    with pytest.raises(validation.ValidationError):
        validation.validate(broken, VERSIONS[0], strict=True)
    misspelt = copy.deepcopy(named("Deployment"))
    misspelt["spec"]["template"]["spec"]["terminationGracePeriod"] = 90
    with pytest.raises(validation.ValidationError):
        validation.validate(misspelt, VERSIONS[0], strict=True)


def test_the_coordinator_is_one_replica_with_state_probes_and_a_service():
    coordinator = named("StatefulSet")
    spec = coordinator["spec"]
    assert spec["replicas"] == 1
    main = container(coordinator)
    args = main["args"]
    assert args[0] == "coordinator"
    ports = {p["name"]: p["containerPort"] for p in main["ports"]}
    assert ports == {"broadcast": 7450, "requests": 7452, "status": 7453, "reports": 7451, "http": 9464}
    for name, port in ports.items():
        assert flag(args, name).endswith(f":{port}"), name
    assert flag(args, "http").endswith(":9464")
    assert main["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert main["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    # --state is on the claim of the volumeClaimTemplate.
    mounts = {m["name"]: m["mountPath"] for m in main["volumeMounts"]}
    claim = spec["volumeClaimTemplates"][0]["metadata"]["name"]
    assert mounts[claim] == flag(args, "state")

    service = named("Service")
    assert spec["serviceName"] == service["metadata"]["name"]
    labels = spec["template"]["metadata"]["labels"]
    assert all(labels.get(k) == v for k, v in service["spec"]["selector"].items())
    assert {p["port"]: p["targetPort"] for p in service["spec"]["ports"]} == {
        7450: "broadcast", 7452: "requests", 7453: "status", 7451: "reports", 9464: "http"}


@pytest.mark.parametrize("kind", ["StatefulSet", "Deployment"])
def test_both_read_the_auth_keys_from_the_secret_as_a_plain_file(kind):
    workload = named(kind)
    main = container(workload)
    secret = named("Secret")["metadata"]["name"]
    volumes = {v["name"]: v for v in workload["spec"]["template"]["spec"]["volumes"]}
    [mount] = [m for m in main["volumeMounts"] if m["mountPath"] == flag(main["args"], "auth-keys")]
    volume = volumes[mount["name"]]["secret"]
    assert volume["secretName"] == secret
    # The key file check refuses a symlink (mode 777), which a whole Secret volume would show,
    # and any mode that lets others read.
    assert mount["subPath"] in named("Secret")["stringData"]
    assert volume["defaultMode"] & 0o007 == 0


def test_workers_have_time_to_drain_before_sigkill():
    workers = named("Deployment")
    args = container(workers)["args"]
    assert args[0] == "worker"
    service = named("Service")["metadata"]["name"]
    assert flag(args, "broadcast") == f"tcp://{service}:7450"
    assert flag(args, "requests") == f"tcp://{service}:7452"
    assert not any(a.startswith("--reports") for a in args), "a version-2 worker has no reports endpoint"
    grace = workers["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
    assert grace > int(flag(args, "drain-timeout"))


def test_the_probes_answer_on_a_coordinator_started_as_the_statefulset_starts_it(curriculum_bin, tmp_path):
    main = container(named("StatefulSet"))
    if "--http" not in subprocess.run([str(curriculum_bin), "coordinator", "--help"], capture_output=True,
                                      text=True, timeout=30).stdout:
        pytest.skip("this coordinator has no --http yet (the monitoring endpoints come with the observability work)")
    port = free_port()
    # The manifest's arguments, on loopback ports and a local state directory, without the Secret.
    overrides = {"broadcast": "tcp://127.0.0.1:0", "requests": "tcp://127.0.0.1:0", "status": "tcp://127.0.0.1:0",
                 "reports": "tcp://127.0.0.1:0", "http": f"127.0.0.1:{port}",
                 "state": str(tmp_path / "state")}
    args = []
    for argument in main["args"]:
        name = argument[2:].split("=", 1)[0] if argument.startswith("--") else None
        if name != "auth-keys":
            args.append(f"--{name}={overrides[name]}" if name in overrides else argument)
    process = subprocess.Popen([str(curriculum_bin), *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               stdin=subprocess.DEVNULL, text=True)
    try:
        for probe in ("livenessProbe", "readinessProbe"):
            url = f"http://127.0.0.1:{port}{main[probe]['httpGet']['path']}"
            deadline = time.monotonic() + 30
            code = None
            while code != 200 and time.monotonic() < deadline and process.poll() is None:
                try:
                    with urllib.request.urlopen(url, timeout=2) as answer:
                        code = answer.status
                except (urllib.error.URLError, ConnectionError):
                    time.sleep(0.1)
            assert code == 200, f"{probe} {url}: {code}; coordinator exit {process.poll()}"
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=15)
    assert process.returncode == 0, stderr[-2000:]
