package gitseal.image_tags_test

import data.gitseal.image_tags
import data.lib.fixtures as f

deny_for(image) := msgs if {
	msgs := image_tags.deny with input as f.input_of([f.deployment({"containers": [f.container({"image": image})]})])
}

test_a_pinned_version_passes if {
	count(deny_for("registry.example.com/shop/app:1.4.2")) == 0
}

test_latest_is_refused_for_every_kind if {
	every kind in f.kinds {
		msgs := image_tags.deny with input as f.input_of([f.workload(kind, "shop", {"initContainers": [f.container({"name": "init", "image": "registry.example.com/init:latest"})], "containers": [f.good_container]})])
		msgs == {sprintf(`deploy/app.yaml: %s shop/web: init container "init": image "registry.example.com/init:latest" uses the latest tag; pin a version or a digest`, [kind])}
	}
}

test_no_tag_means_latest if {
	deny_for("registry.example.com/shop/app") == {`deploy/app.yaml: Deployment shop/web: container "app": image "registry.example.com/shop/app" has no tag or digest (that means latest); pin a version or a digest`}
}

test_a_registry_port_is_not_a_tag if {
	count(deny_for("localhost:5000/app")) == 1
	count(deny_for("localhost:5000/app:2.0")) == 0
}

test_a_digest_pins_the_image if {
	digest := "@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	count(deny_for(concat("", ["registry.example.com/app", digest]))) == 0
	count(deny_for(concat("", ["registry.example.com/app:latest", digest]))) == 0
	count(deny_for("registry.example.com/app@sha256:short")) == 1
}
