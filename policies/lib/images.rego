# Image references, read as Docker reads them: [registry/]repository[:tag][@digest].
package lib.images

# The first path component is a registry when it looks like a host (a dot or a port) or is localhost.
has_registry(image) if {
	parts := split(image, "/")
	count(parts) > 1
	first := parts[0]
	regex.match(`[.:]|^localhost$`, first)
}

# "nginx" → "docker.io/library/nginx", "team/app:1" → "docker.io/team/app:1".
full_name(image) := lower(image) if has_registry(image)

full_name(image) := lower(sprintf("docker.io/%s", [image])) if {
	not has_registry(image)
	contains(image, "/")
}

full_name(image) := lower(sprintf("docker.io/library/%s", [image])) if {
	not has_registry(image)
	not contains(image, "/")
}

without_digest(image) := split(image, "@")[0]

has_digest(image) if regex.match(`@sha256:[0-9a-f]{64}$`, image)

# The tag, if the last path component carries one (a registry port is not a tag).
tag(image) := t if {
	parts := split(without_digest(image), "/")
	last := parts[count(parts) - 1]
	pieces := split(last, ":")
	count(pieces) == 2
	t := pieces[1]
}

allowed_by(image, prefixes) if {
	some prefix in prefixes
	p := lower(trim_suffix(prefix, "/"))
	startswith(full_name(image), concat("", [p, "/"]))
}
