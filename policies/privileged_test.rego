package gitseal.privileged_test

import data.gitseal.privileged
import data.lib.fixtures as f

test_privileged_containers_are_refused_for_every_kind if {
	every kind in f.kinds {
		msgs := privileged.deny with input as f.input_of([f.workload(kind, "shop", {
			"initContainers": [f.container({"name": "setup", "securityContext": {"privileged": true}})],
			"containers": [f.good_container],
		})])
		msgs == {sprintf(`deploy/app.yaml: %s shop/web: init container "setup" is privileged`, [kind])}
	}
}

test_unprivileged_containers_pass if {
	count(privileged.deny) == 0 with input as f.input_of([f.deployment({"containers": [f.container({"securityContext": {"privileged": false}})]})])
	count(privileged.deny) == 0 with input as f.input_of([f.deployment({"containers": [f.good_container]})])
}

test_privilege_escalation_is_a_warning if {
	inp := f.input_of([f.deployment({"containers": [f.container({"securityContext": {"allowPrivilegeEscalation": true}})]})])
	count(privileged.deny) == 0 with input as inp
	privileged.warn == {`deploy/app.yaml: Deployment shop/web: container "app" allows privilege escalation`} with input as inp
}
