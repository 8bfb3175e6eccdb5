# Control: images come only from the registries the organisation runs or trusts
# (data.controls.registries.allowed).
package gitseal.registries

import data.lib.images
import data.lib.kubernetes as k8s

deny contains msg if {
	some c in k8s.containers
	image := c.container.image
	is_string(image)
	not images.allowed_by(image, data.controls.registries.allowed)
	msg := sprintf("%s: %s: %s: image %q is not from an allowed registry (allowed: %s)", [c.path, c.workload, c.name, image, concat(", ", data.controls.registries.allowed)])
}

deny contains msg if {
	some c in k8s.containers
	not is_string(c.container.image)
	msg := sprintf("%s: %s: %s has no image", [c.path, c.workload, c.name])
}
