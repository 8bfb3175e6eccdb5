package gitseal.resources_test

import data.gitseal.resources
import data.lib.fixtures as f

test_limits_present_pass_for_every_kind if {
	every kind in f.kinds {
		count(resources.deny) == 0 with input as f.input_of([f.workload(kind, "shop", {"initContainers": [f.good_container], "containers": [f.good_container]})])
	}
}

test_missing_limits_are_refused_for_every_kind if {
	every kind in f.kinds {
		msgs := resources.deny with input as f.input_of([f.workload(kind, "shop", {"containers": [{"name": "app", "image": "registry.example.com/app:1", "resources": {"limits": {"cpu": "1"}}}]})])
		msgs == {sprintf(`deploy/app.yaml: %s shop/web: container "app" has no memory limit`, [kind])}
	}
}

test_init_containers_need_limits_too if {
	msgs := resources.deny with input as f.input_of([f.deployment({"initContainers": [{"name": "init", "image": "registry.example.com/i:1"}], "containers": [f.good_container]})])
	msgs == {
		`deploy/app.yaml: Deployment shop/web: init container "init" has no cpu limit`,
		`deploy/app.yaml: Deployment shop/web: init container "init" has no memory limit`,
	}
}

test_requests_are_not_limits if {
	count(resources.deny) == 2 with input as f.input_of([f.deployment({"containers": [{"name": "a", "image": "registry.example.com/a:1", "resources": {"requests": {"cpu": "1", "memory": "1Gi"}}}]})])
	count(resources.deny) == 1 with input as f.input_of([f.deployment({"containers": [{"name": "a", "image": "registry.example.com/a:1", "resources": {"limits": {"cpu": "", "memory": "1Gi"}}}]})])
}

test_ephemeral_containers_are_not_checked if {
	count(resources.deny) == 0 with input as f.input_of([f.deployment({"containers": [f.good_container], "ephemeralContainers": [{"name": "debug", "image": "registry.example.com/debug:1"}]})])
}
