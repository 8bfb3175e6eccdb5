# Helpers shared by the starter policies: workloads, their pod specs and containers, names.
# Not a gitseal.* package: it decides nothing by itself.
package lib.kubernetes

pod_template_kinds := {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job"}

# The pod spec of a workload object, whatever its kind.
pod_spec(obj) := obj.spec if obj.kind == "Pod"

pod_spec(obj) := obj.spec.template.spec if obj.kind in pod_template_kinds

pod_spec(obj) := obj.spec.jobTemplate.spec.template.spec if obj.kind == "CronJob"

# A workload whose pod spec is missing or not an object has no containers to check.
spec_or_empty(obj) := spec if {
	spec := pod_spec(obj)
	is_object(spec)
} else := {}

is_workload(obj) if obj.kind == "Pod"

is_workload(obj) if obj.kind in pod_template_kinds

is_workload(obj) if obj.kind == "CronJob"

namespace_of(obj) := ns if {
	ns := obj.metadata.namespace
	is_string(ns)
	ns != ""
} else := default_namespace

# The namespace an object without one is applied to (data.controls.default_namespace).
default_namespace := ns if {
	ns := data.controls.default_namespace
	is_string(ns)
} else := "default"

name_of(obj) := name if {
	name := obj.metadata.name
	is_string(name)
} else := "(unnamed)"

# "Deployment shop/web": how messages name an object.
describe(obj) := sprintf("%v %s/%s", [obj.kind, namespace_of(obj), name_of(obj)])

# Every workload in the commit, with its file and pod spec.
workloads contains w if {
	some m in input.manifests
	is_workload(m.object)
	w := {"path": m.path, "object": m.object, "spec": spec_or_empty(m.object), "name": describe(m.object)}
}

container_fields := {"containers": "container", "initContainers": "init container", "ephemeralContainers": "ephemeral container"}

# Every container of every workload (init and ephemeral containers included).
containers contains c if {
	some w in workloads
	some field, label in container_fields
	some container in object.get(w.spec, field, [])
	c := {
		"path": w.path,
		"workload": w.name,
		"field": field,
		"container": container,
		# e.g. `init container "migrate"`
		"name": sprintf("%s %q", [label, object.get(container, "name", "(unnamed)")]),
	}
}

# A unique key for an object across commits.
key(obj) := sprintf("%v/%v %s/%s", [object.get(obj, "apiVersion", ""), object.get(obj, "kind", ""), namespace_of(obj), name_of(obj)])
