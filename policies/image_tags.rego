# Control: every image is pinned: a tag other than `latest`, or a digest. No tag at all means
# latest, so it is refused too.
package gitseal.image_tags

import data.lib.images
import data.lib.kubernetes as k8s

deny contains msg if {
	some c in k8s.containers
	image := c.container.image
	is_string(image)
	not images.has_digest(image)
	images.tag(image) == "latest"
	msg := sprintf("%s: %s: %s: image %q uses the latest tag; pin a version or a digest", [c.path, c.workload, c.name, image])
}

deny contains msg if {
	some c in k8s.containers
	image := c.container.image
	is_string(image)
	not images.has_digest(image)
	not images.tag(image)
	msg := sprintf("%s: %s: %s: image %q has no tag or digest (that means latest); pin a version or a digest", [c.path, c.workload, c.name, image])
}
