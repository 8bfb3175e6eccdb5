# Control: a change to production (an object added, modified or removed in a production
# namespace, or a production namespace itself) needs approvals by approvers other than the
# person who signed the commit: no one ships to production alone.
package gitseal.production_approval

import data.lib.kubernetes as k8s

production_namespaces := {ns | some ns in data.controls.production.namespaces}

in_production(obj) if k8s.namespace_of(obj) in production_namespaces

in_production(obj) if {
	obj.kind == "Namespace"
	k8s.name_of(obj) in production_namespaces
}

now := {[k8s.key(m.object), m.path, m.object] | some m in input.manifests; in_production(m.object)}

before := {[k8s.key(m.object), m.path, m.object] | some m in input.previous.manifests; in_production(m.object)}

# "Deployment apps/v1 prod/web (deploy/web.yaml)" for every production object that differs.
changed := {sprintf("%s (%s)", [e[0], e[1]]) | some e in (now - before) | (before - now)}

# Approvals that count: verified approvers (only those reach the input) who did not sign the commit.
independent := {a.fingerprint |
	some a in input.approvals
	"approver" in a.signer.roles
	a.fingerprint != input.signature.fingerprint
}

needed := object.get(data.controls.production, "approvals", 1)

deny contains msg if {
	count(changed) > 0
	count(independent) < needed
	shown := array.slice(sort(changed), 0, 5)
	more := count(changed) - count(shown)
	suffix := sprintf(" and %d more", [more])
	msg := sprintf("changes to production need %d approval(s) by an approver other than the commit's signer, found %d: %s%s", [needed, count(independent), concat(", ", shown), suffix_if(more, suffix)])
}

suffix_if(more, suffix) := suffix if more > 0

suffix_if(more, _) := "" if more == 0
