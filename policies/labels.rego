# Control: every workload carries the labels that say what it is and who owns it
# (data.controls.labels.required).
package gitseal.labels

import data.lib.kubernetes as k8s

deny contains msg if {
	some w in k8s.workloads
	labels := object.get(w.object, ["metadata", "labels"], {})
	missing := {l | some l in data.controls.labels.required; not present(labels, l)}
	count(missing) > 0
	msg := sprintf("%s: %s is missing the label(s) %s", [w.path, w.name, concat(", ", sort(missing))])
}

present(labels, name) if {
	value := labels[name]
	is_string(value)
	value != ""
}
