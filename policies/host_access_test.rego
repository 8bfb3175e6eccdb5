package gitseal.host_access_test

import data.gitseal.host_access
import data.lib.fixtures as f

test_host_namespaces_are_refused_for_every_kind if {
	every kind in f.kinds {
		every field in ["hostNetwork", "hostPID", "hostIPC"] {
			msgs := host_access.deny with input as f.input_of([f.workload(kind, "shop", object.union({"containers": [f.good_container]}, {field: true}))])
			msgs == {sprintf("deploy/app.yaml: %s shop/web uses the host's namespace (%s: true)", [kind, field])}
		}
	}
}

test_host_path_volumes_are_refused if {
	msgs := host_access.deny with input as f.input_of([f.workload("DaemonSet", "kube-system", {
		"containers": [f.good_container],
		"volumes": [{"name": "logs", "hostPath": {"path": "/var/log"}}, {"name": "tmp", "emptyDir": {}}],
	})])
	msgs == {`deploy/app.yaml: DaemonSet kube-system/web mounts the host path /var/log (volume "logs")`}
}

test_pods_that_stay_off_the_host_pass if {
	count(host_access.deny) == 0 with input as f.input_of([f.deployment({"hostNetwork": false, "containers": [f.good_container], "volumes": [{"name": "c", "configMap": {"name": "x"}}]})])
}
