package gitseal.registries_test

import data.gitseal.registries
import data.lib.fixtures as f

test_allowed_registries_pass_for_every_kind if {
	every kind in f.kinds {
		count(registries.deny) == 0 with input as f.input_of([f.workload(kind, "shop", {
			"initContainers": [f.container({"name": "init", "image": "ghcr.io/example/migrate:2"})],
			"containers": [f.good_container],
		})])
	}
}

test_docker_hub_is_refused_for_every_kind if {
	every kind in f.kinds {
		msgs := registries.deny with input as f.input_of([f.workload(kind, "shop", {"containers": [f.container({"image": "nginx:1.25"})]})])
		msgs == {sprintf(`deploy/app.yaml: %s shop/web: container "app": image "nginx:1.25" is not from an allowed registry (allowed: registry.example.com/, ghcr.io/example/)`, [kind])}
	}
}

test_init_and_ephemeral_containers_are_checked if {
	msgs := registries.deny with input as f.input_of([f.deployment({
		"initContainers": [f.container({"name": "init", "image": "quay.io/x/init:1"})],
		"ephemeralContainers": [{"name": "debug", "image": "busybox:1.36"}],
		"containers": [f.good_container],
	})])
	count(msgs) == 2
	some m in msgs
	contains(m, `init container "init": image "quay.io/x/init:1"`)
	some n in msgs
	contains(n, `ephemeral container "debug"`)
}

test_a_lookalike_host_is_refused if {
	count(registries.deny) == 1 with input as f.input_of([f.deployment({"containers": [f.container({"image": "registry.example.com.evil.io/shop/app:1"})]})])
	count(registries.deny) == 1 with input as f.input_of([f.deployment({"containers": [f.container({"image": "ghcr.io/example-evil/app:1"})]})])
}

test_registry_names_compare_case_insensitively if {
	count(registries.deny) == 0 with input as f.input_of([f.deployment({"containers": [f.container({"image": "Registry.Example.com/shop/app:1"})]})])
}

test_an_allow_list_entry_without_a_slash_still_means_a_host if {
	count(registries.deny) == 0 with input as f.input_of([f.deployment({"containers": [f.good_container]})])
		with data.controls.registries.allowed as ["registry.example.com"]
	count(registries.deny) == 1 with input as f.input_of([f.deployment({"containers": [f.container({"image": "registry.example.community/app:1"})]})])
		with data.controls.registries.allowed as ["registry.example.com"]
}

test_a_container_without_an_image_is_refused if {
	msgs := registries.deny with input as f.input_of([f.deployment({"containers": [{"name": "app"}]})])
	msgs == {`deploy/app.yaml: Deployment shop/web: container "app" has no image`}
}
