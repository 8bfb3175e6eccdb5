# Control: workloads stay out of the node: no host network, PID or IPC namespace, no hostPath volume.
package gitseal.host_access

import data.lib.kubernetes as k8s

deny contains msg if {
	some w in k8s.workloads
	some field in ["hostNetwork", "hostPID", "hostIPC"]
	w.spec[field] == true
	msg := sprintf("%s: %s uses the host's namespace (%s: true)", [w.path, w.name, field])
}

deny contains msg if {
	some w in k8s.workloads
	some volume in object.get(w.spec, "volumes", [])
	volume.hostPath
	msg := sprintf("%s: %s mounts the host path %v (volume %q)", [w.path, w.name, object.get(volume.hostPath, "path", "?"), object.get(volume, "name", "(unnamed)")])
}
