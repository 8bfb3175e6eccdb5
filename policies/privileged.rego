# Control: no privileged containers (they hold every capability of the node's kernel).
package gitseal.privileged

import data.lib.kubernetes as k8s

deny contains msg if {
	some c in k8s.containers
	c.container.securityContext.privileged == true
	msg := sprintf("%s: %s: %s is privileged", [c.path, c.workload, c.name])
}

warn contains msg if {
	some c in k8s.containers
	c.container.securityContext.allowPrivilegeEscalation == true
	msg := sprintf("%s: %s: %s allows privilege escalation", [c.path, c.workload, c.name])
}
