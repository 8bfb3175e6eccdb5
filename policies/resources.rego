# Control: every container (init containers too) has CPU and memory limits, so one workload
# cannot starve a node. Ephemeral (debug) containers cannot carry resources and are not checked.
package gitseal.resources

import data.lib.kubernetes as k8s

deny contains msg if {
	some c in k8s.containers
	c.field != "ephemeralContainers"
	some resource in ["cpu", "memory"]
	not has_limit(c.container, resource)
	msg := sprintf("%s: %s: %s has no %s limit", [c.path, c.workload, c.name, resource])
}

has_limit(container, resource) if {
	limit := container.resources.limits[resource]
	limit != null
	limit != ""
}
