package gitseal.labels_test

import data.gitseal.labels
import data.lib.fixtures as f

test_workloads_with_the_labels_pass if {
	every kind in f.kinds {
		count(labels.deny) == 0 with input as f.input_of([f.workload(kind, "shop", {"containers": [f.good_container]})])
	}
}

test_missing_labels_are_named_for_every_kind if {
	every kind in f.kinds {
		obj := json.patch(f.workload(kind, "shop", {"containers": [f.good_container]}), [{"op": "replace", "path": "/metadata/labels", "value": {"team": ""}}])
		msgs := labels.deny with input as f.input_of([obj])
		msgs == {sprintf("deploy/app.yaml: %s shop/web is missing the label(s) app.kubernetes.io/name, team", [kind])}
	}
}

test_other_objects_are_not_checked if {
	count(labels.deny) == 0 with input as f.input_of([{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}])
}

test_the_required_labels_come_from_data if {
	count(labels.deny) == 1 with input as f.input_of([f.deployment({"containers": [f.good_container]})])
		with data.controls.labels.required as ["cost-center"]
}
