package gitseal.production_approval_test

import data.gitseal.production_approval as prod
import data.lib.fixtures as f

web(ns, image) := f.workload("Deployment", ns, {"containers": [f.container({"image": image})]})

approval(fingerprint) := {"fingerprint": fingerprint, "signer": {"name": "Dana", "email": "dana@example.com", "roles": ["approver"]}, "signedAt": "2026-11-21T10:00:00Z", "source": "git-note", "seal": false}

change(before, after, approvals) := {
	"signature": {"fingerprint": "SIGNER"},
	"approvals": approvals,
	"manifests": f.manifests(after),
	"previous": {"manifests": f.manifests(before)},
}

test_a_production_change_without_approval_is_refused if {
	msgs := prod.deny with input as change([web("prod", "registry.example.com/app:1")], [web("prod", "registry.example.com/app:2")], [])
	msgs == {"changes to production need 1 approval(s) by an approver other than the commit's signer, found 0: apps/v1/Deployment prod/web (deploy/app.yaml)"}
}

test_the_signer_approving_their_own_change_does_not_count if {
	count(prod.deny) == 1 with input as change([], [web("prod", "registry.example.com/app:2")], [approval("SIGNER")])
}

test_another_approver_lets_it_through if {
	count(prod.deny) == 0 with input as change([], [web("prod", "registry.example.com/app:2")], [approval("OTHER"), approval("SIGNER")])
}

test_an_approval_without_the_approver_role_does_not_count if {
	a := object.union(approval("OTHER"), {"signer": {"name": "x", "email": "x@example.com", "roles": ["committer"]}})
	count(prod.deny) == 1 with input as change([], [web("prod", "registry.example.com/app:2")], [a])
}

test_removing_a_production_object_is_a_change if {
	count(prod.deny) == 1 with input as change([web("production", "registry.example.com/app:1")], [], [])
}

test_the_namespace_itself_is_production if {
	ns := {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "prod", "labels": {"x": "y"}}}
	count(prod.deny) == 1 with input as change([], [ns], [])
}

test_unchanged_production_and_other_namespaces_need_nothing if {
	same := web("prod", "registry.example.com/app:1")
	count(prod.deny) == 0 with input as change([same], [same, web("staging", "registry.example.com/app:9")], [])
}

test_an_object_without_namespace_goes_to_the_default_namespace if {
	obj := json.remove(web("x", "registry.example.com/app:1"), ["metadata/namespace"])
	count(prod.deny) == 0 with input as change([], [obj], [])
	count(prod.deny) == 1 with input as change([], [obj], []) with data.controls.default_namespace as "prod"
}

test_two_approvals_when_configured if {
	inp := change([], [web("prod", "registry.example.com/app:2")], [approval("OTHER")])
	count(prod.deny) == 1 with input as inp with data.controls.production.approvals as 2
}

test_many_changes_are_listed_briefly if {
	objs := [f.workload("Deployment", "prod", {"containers": [f.good_container]}) |
		some i in numbers.range(1, 7)
	]
	named := [json.patch(o, [{"op": "replace", "path": "/metadata/name", "value": sprintf("app-%d", [i])}]) | some i, o in objs]
	msgs := prod.deny with input as change([], named, [])
	some m in msgs
	endswith(m, " and 2 more")
}
