# Test helpers for the starter policies' tests (a *_test.rego file: never loaded by the gate).
package lib.fixtures

kinds := ["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod"]

labels := {"app.kubernetes.io/name": "web", "team": "payments"}

good_container := {
	"name": "app",
	"image": "registry.example.com/shop/app:1.4.2",
	"resources": {"limits": {"cpu": "500m", "memory": "256Mi"}},
}

# The good container with some fields replaced (object.union merges nested objects: to drop a
# field, write the container out instead).
container(overrides) := object.union(good_container, overrides)

# The pod spec placed where the kind keeps it.
wrap(kind, spec) := {"spec": spec} if kind == "Pod"

wrap(kind, spec) := {"spec": {"template": {"spec": spec}}} if kind in {"Deployment", "StatefulSet", "DaemonSet", "Job"}

wrap(kind, spec) := {"spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}} if kind == "CronJob"

workload(kind, namespace, spec) := object.union(
	{"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "web", "namespace": namespace, "labels": labels}},
	wrap(kind, spec),
)

deployment(spec) := workload("Deployment", "shop", spec)

manifests(objects) := [{"path": "deploy/app.yaml", "index": i, "object": o} | some i, o in objects]

input_of(objects) := {
	"signature": {"fingerprint": "SIGNER"},
	"approvals": [],
	"manifests": manifests(objects),
	"previous": {"manifests": []},
}
