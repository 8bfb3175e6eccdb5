import { type StatusCause } from './api-error';
import { matchesLabelSelectorObject } from './selector-object';
import { type JsonObject, type JsonValue, deepEqual, isObject, metaOf, str, stringMap } from './sandbox.types';

const SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE_RE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUALIFIED_NAME_RE = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

/** Kinds whose names must be DNS-1123 labels (63 characters, no dots). */
const LABEL_NAMED = new Set(['Namespace', 'Service']);
/** Kinds whose names only need to be valid path segments. */
const PATH_NAMED = new Set(['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding']);

function invalidValue(field: string, value: JsonValue, why: string): StatusCause {
  return { reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(value)}: ${why}`, field };
}

function required(field: string, why = ''): StatusCause {
  return { reason: 'FieldValueRequired', message: why ? `Required value: ${why}` : 'Required value', field };
}

export function validateName(kind: string, name: string, field = 'metadata.name'): StatusCause[] {
  if (PATH_NAMED.has(kind)) {
    if (name === '.' || name === '..' || /[/%]/.test(name)) return [invalidValue(field, name, `may not contain '/' or '%'`)];
    return [];
  }
  if (LABEL_NAMED.has(kind)) {
    if (name.length > 63) return [invalidValue(field, name, 'must be no more than 63 characters')];
    return LABEL_RE.test(name) ? [] : [invalidValue(field, name, LABEL_MSG)];
  }
  if (name.length > 253) return [invalidValue(field, name, 'must be no more than 253 characters')];
  return SUBDOMAIN_RE.test(name) ? [] : [invalidValue(field, name, SUBDOMAIN_MSG)];
}

function validateQualifiedKey(key: string, field: string): StatusCause[] {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : '';
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  // Lengths before patterns, so hostile input never meets a regular expression unbounded.
  if (prefix.length > 253 || name.length > 63 || (slash >= 0 && !SUBDOMAIN_RE.test(prefix)) || !QUALIFIED_NAME_RE.test(name)) {
    return [
      invalidValue(
        field,
        key,
        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
      ),
    ];
  }
  return [];
}

function validateMetadata(obj: JsonObject): StatusCause[] {
  const meta = metaOf(obj);
  const causes: StatusCause[] = [];
  for (const [k, v] of Object.entries(isObject(meta.labels) ? meta.labels : {})) {
    causes.push(...validateQualifiedKey(k, 'metadata.labels'));
    if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE_RE.test(v)) {
      causes.push(
        invalidValue(
          'metadata.labels',
          v,
          "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
        ),
      );
    }
  }
  const annotations = isObject(meta.annotations) ? meta.annotations : {};
  let size = 0;
  for (const [k, v] of Object.entries(annotations)) {
    causes.push(...validateQualifiedKey(k, 'metadata.annotations'));
    size += k.length + (typeof v === 'string' ? v.length : JSON.stringify(v).length);
  }
  if (size > 262144) causes.push({ reason: 'FieldValueTooLong', message: 'Too long: must have at most 262144 bytes', field: 'metadata.annotations' });
  return causes;
}

function validatePodSpec(spec: JsonValue | undefined, field: string): StatusCause[] {
  const containers = isObject(spec) ? spec.containers : undefined;
  if (!Array.isArray(containers) || containers.length === 0) return [required(`${field}.containers`)];
  const causes: StatusCause[] = [];
  const seen = new Set<string>();
  containers.forEach((c, i) => {
    const name = isObject(c) ? str(c.name) : undefined;
    if (!name) causes.push(required(`${field}.containers[${i}].name`));
    else if (seen.has(name)) causes.push({ reason: 'FieldValueDuplicate', message: `Duplicate value: ${JSON.stringify(name)}`, field: `${field}.containers[${i}].name` });
    else {
      seen.add(name);
      if (!LABEL_RE.test(name)) causes.push(invalidValue(`${field}.containers[${i}].name`, name, LABEL_MSG));
    }
    if (!isObject(c) || !str(c.image)) causes.push(required(`${field}.containers[${i}].image`));
  });
  return causes;
}

function validateWorkload(obj: JsonObject): StatusCause[] {
  const spec = isObject(obj.spec) ? obj.spec : {};
  const causes: StatusCause[] = [];
  const template = isObject(spec.template) ? spec.template : undefined;
  if (!template) return [required('spec.template')];
  const labels = stringMap(metaOf(template).labels);
  if (obj.kind !== 'Job' && obj.kind !== 'CronJob') {
    if (!isObject(spec.selector)) causes.push(required('spec.selector'));
    else if (!matchesLabelSelectorObject(spec.selector, labels)) {
      causes.push(invalidValue('spec.template.metadata.labels', labels, '`selector` does not match template `labels`'));
    }
  }
  if (typeof spec.replicas === 'number' && spec.replicas < 0) causes.push(invalidValue('spec.replicas', spec.replicas, 'must be greater than or equal to 0'));
  causes.push(...validatePodSpec(template.spec, 'spec.template.spec'));
  if (obj.kind === 'Job') {
    const policy = isObject(template.spec) ? template.spec.restartPolicy : undefined;
    if (policy !== 'OnFailure' && policy !== 'Never') causes.push({ reason: 'FieldValueNotSupported', message: `Unsupported value: ${JSON.stringify(policy ?? '')}: supported values: "OnFailure", "Never"`, field: 'spec.template.spec.restartPolicy' });
  }
  return causes;
}

function validateCrd(obj: JsonObject): StatusCause[] {
  const spec = isObject(obj.spec) ? obj.spec : {};
  const names = isObject(spec.names) ? spec.names : {};
  const causes: StatusCause[] = [];
  const group = str(spec.group);
  const plural = str(names.plural);
  if (!group) causes.push(required('spec.group'));
  if (!plural) causes.push(required('spec.names.plural'));
  if (!str(names.kind)) causes.push(required('spec.names.kind'));
  if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') causes.push({ reason: 'FieldValueNotSupported', message: `Unsupported value: ${JSON.stringify(spec.scope ?? '')}: supported values: "Cluster", "Namespaced"`, field: 'spec.scope' });
  const versions = Array.isArray(spec.versions) ? spec.versions.filter(isObject) : [];
  if (versions.length === 0) causes.push(required('spec.versions', 'must have exactly one version marked as storage version'));
  else if (versions.filter((v) => v.storage === true).length !== 1) causes.push(invalidValue('spec.versions', versions.length, 'must have exactly one version marked as storage version'));
  const name = str(metaOf(obj).name);
  if (group && plural && name !== `${plural}.${group}`) causes.push(invalidValue('metadata.name', name ?? '', `must be spec.names.plural+"."+spec.group`));
  return causes;
}

function validateSecret(obj: JsonObject): StatusCause[] {
  const data = isObject(obj.data) ? obj.data : {};
  const causes: StatusCause[] = [];
  for (const [k, v] of Object.entries(data)) {
    if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v) || v.length % 4 !== 0) causes.push(invalidValue(`data[${k}]`, '<secret value>', 'illegal base64 data'));
  }
  return causes;
}

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);

/** Validation of a new or updated object, as the real strategies validate; empty means valid. */
export function validateObject(obj: JsonObject, old: JsonObject | undefined): StatusCause[] {
  const kind = obj.kind as string;
  const causes = validateName(kind, str(metaOf(obj).name) ?? '');
  causes.push(...validateMetadata(obj));
  if (WORKLOADS.has(kind)) causes.push(...validateWorkload(obj));
  if (kind === 'Pod') causes.push(...validatePodSpec(obj.spec, 'spec'));
  if (kind === 'CustomResourceDefinition') causes.push(...validateCrd(obj));
  if (kind === 'Secret') causes.push(...validateSecret(obj));
  if (old && WORKLOADS.has(kind) && kind !== 'Job') {
    const before = isObject(old.spec) ? old.spec.selector : undefined;
    const after = isObject(obj.spec) ? obj.spec.selector : undefined;
    if (!deepEqual(before, after)) causes.push(invalidValue('spec.selector', after ?? null, 'field is immutable'));
  }
  if (old && kind === 'Job') {
    const before = isObject(old.spec) ? old.spec.template : undefined;
    const after = isObject(obj.spec) ? obj.spec.template : undefined;
    if (!deepEqual(before, after)) causes.push(invalidValue('spec.template', '<template>', 'field is immutable'));
  }
  return causes;
}
